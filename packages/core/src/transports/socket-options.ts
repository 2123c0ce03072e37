import { isIP } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import type { ResolvedTlsOptions } from '../options'

/**
 * `tls.connect` options from ours. Certificate verification and the host name check stay
 * on unless `rejectUnauthorized: false`; SNI is sent for names, never for IP addresses
 * (RFC 6066 forbids it), while the certificate is still checked against the address.
 */
export function tlsConnectOptions (host: string, port: number, tls: ResolvedTlsOptions): ConnectionOptions {
  const servername = tls.servername ?? (isIP(host) === 0 ? host : undefined)
  return {
    host,
    port,
    ...(tls.ca === undefined ? {} : { ca: tls.ca as ConnectionOptions['ca'] }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert as ConnectionOptions['cert'] }),
    ...(tls.key === undefined ? {} : { key: tls.key as ConnectionOptions['key'] }),
    ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    ...(servername === undefined ? {} : { servername }),
    ...(tls.minVersion === undefined ? {} : { minVersion: tls.minVersion }),
    rejectUnauthorized: tls.rejectUnauthorized
  }
}

/** A socket error as one short line: its code and message. */
export function describeSocketError (err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined
  // OpenSSL's messages end in a newline, which would break the one-line error report.
  const message = String(e?.message ?? err).trim()
  return e?.code === undefined ? message : `${e.code}${message.includes(e.code) ? '' : `: ${message}`}`
}
