import { readFileSync } from 'node:fs'
import type { TlsOptions } from 'node:tls'
import { parseArgs } from 'node:util'
import { INPUT_NAMES, type InputName } from './inputs/types'

/** A wrong command line: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The `listen` command line, read and checked. */
export interface ListenArguments {
  host: string
  ports: Partial<Record<InputName, number>>
  tls: TlsOptions | undefined
  pretty: boolean
  /** Undefined: decide from the terminal and NO_COLOR / FORCE_COLOR. */
  color: boolean | undefined
  help: boolean
}

/** What `listen` does without any input option: what `new LogstashHandler()` sends to. */
export const DEFAULT_INPUT: Readonly<Partial<Record<InputName, number>>> = Object.freeze({ tcp: 5959 })

/** `logstash-async listen --help`. */
export const LISTEN_USAGE = `Usage: logstash-async listen [options]

A local stand-in for Logstash: receives what the logstash-async transports send and
prints each event on stdout, one JSON line each (or --pretty). Status lines and the
count of events received (printed on Ctrl-C / SIGTERM) go to stderr.

Inputs (any subset; port 0 picks a free port; none given: --tcp 5959):
  --tcp <port>            JSON lines over TCP (Logstash tcp input, json_lines codec)
  --udp <port>            one JSON event per datagram (udp input, json codec)
  --beats <port>          Lumberjack v2 (beats input): windows, J and C frames, ACKs
  --http <port>           POST of a JSON array of events, gzip allowed (http input)
  --host <address>        address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)

TLS, for --tcp, --beats and --http (UDP stays plain):
  --tls-cert <file>       server certificate chain (PEM); turns TLS on
  --tls-key <file>        its private key (PEM)
  --tls-passphrase <text> passphrase of the key
  --tls-ca <file>         CA certificates (PEM): clients must present a certificate it signed

Output:
  --pretty                a readable line per event and its fields, instead of JSON
  --color, --no-color     colours in --pretty output (default: on a terminal, unless NO_COLOR is set)
  -h, --help              this text
`

/** Reads `listen`'s options; throws `UsageError` naming the wrong one. */
export function parseListenArguments (argv: readonly string[]): ListenArguments {
  let values: Record<string, string | boolean | undefined>
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      allowNegative: true,
      options: {
        tcp: { type: 'string' },
        udp: { type: 'string' },
        beats: { type: 'string' },
        http: { type: 'string' },
        host: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-passphrase': { type: 'string' },
        'tls-ca': { type: 'string' },
        pretty: { type: 'boolean' },
        color: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    }))
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const ports: Partial<Record<InputName, number>> = {}
  for (const name of INPUT_NAMES) {
    const value = values[name]
    if (typeof value === 'string') ports[name] = parsePort(`--${name}`, value)
  }
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1'
  if (host === '') throw new UsageError('--host must be an address, got ""')
  return {
    host,
    ports: Object.keys(ports).length === 0 ? { ...DEFAULT_INPUT } : ports,
    tls: readTls(values),
    pretty: values.pretty === true,
    color: typeof values.color === 'boolean' ? values.color : undefined,
    help: values.help === true
  }
}

function parsePort (option: string, value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`${option} must be a port number 0-65535, got ${JSON.stringify(value)}`)
  return port
}

function readTls (values: Record<string, string | boolean | undefined>): TlsOptions | undefined {
  const cert = values['tls-cert']
  const key = values['tls-key']
  const ca = values['tls-ca']
  const passphrase = values['tls-passphrase']
  if (cert === undefined && key === undefined && ca === undefined && passphrase === undefined) return undefined
  if (typeof cert !== 'string' || typeof key !== 'string') {
    throw new UsageError(`TLS needs both --tls-cert and --tls-key, got ${typeof cert === 'string' ? 'only --tls-cert' : typeof key === 'string' ? 'only --tls-key' : 'neither'}`)
  }
  const tls: TlsOptions = { cert: readPem('--tls-cert', cert), key: readPem('--tls-key', key) }
  if (typeof passphrase === 'string') tls.passphrase = passphrase
  if (typeof ca === 'string') {
    tls.ca = readPem('--tls-ca', ca)
    tls.requestCert = true
    tls.rejectUnauthorized = true
  }
  return tls
}

function readPem (option: string, file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

/** Colours when asked, else on a terminal unless NO_COLOR is set (https://no-color.org) or FORCE_COLOR says otherwise. */
export function useColor (asked: boolean | undefined, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (asked !== undefined) return asked
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  return isTTY && env.TERM !== 'dumb'
}
