import { connect as netConnect, type Socket } from 'node:net'
import type * as Tls from 'node:tls'
import { TransportError } from '../errors'
import { lazyBuiltin } from '../lazy-builtin'
import type { ResolvedTlsOptions } from '../options'
import { describeSocketError, tlsConnectOptions } from './socket-options'

// Loaded with the first TLS connection: see lazy-builtin.ts.
const tlsModule = lazyBuiltin<typeof Tls>('node:tls')

/** Error codes of a failed certificate check, which get a hint in the report. */
export const TLS_CODES: ReadonlySet<string> = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'])
// Alerts of a server that wants a client certificate we did not send or it does not trust.
const CLIENT_CERT_ALERTS: ReadonlySet<string> = new Set(['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN'])
/** Longest wait, after a TLS 1.3 handshake, for the server's session ticket (see below). */
const TLS13_CONFIRM_MS = 500

export interface ConnectSocketOptions {
  host: string
  port: number
  tls: ResolvedTlsOptions | undefined
  /** Connect and handshake timeout. */
  timeoutMs: number
  /** How the address is named in reports: `tcp://host:port`. */
  address: string
  /**
   * Called at once with the new socket, to attach the protocol's listeners. Something must
   * read the socket: that is how the server's FIN, RST or ACKs become visible.
   */
  prepare: (socket: Socket) => void
}

interface QueueHandle { writeQueueSize?: unknown }
// The TCP handle under each socket, kept: Node drops `socket._handle` before it emits
// 'error' or 'close', when the handle can still tell how far the last write got.
const TCP_HANDLES = new WeakMap<Socket, QueueHandle>()

/**
 * Bytes written to `socket` that its kernel has not taken yet (libuv's write queue of the
 * TCP socket under it, TLS records included), or `undefined` once that is unknown (the
 * handle is gone). Read while a write is under way, it tells whether the write progresses.
 */
export function kernelBacklog (socket: Socket): number | undefined {
  const size = TCP_HANDLES.get(socket)?.writeQueueSize
  return typeof size === 'number' ? size : undefined
}

/** The hint a report gets for a TLS error code. */
export function tlsHint (code: string | undefined): string {
  if (code === undefined) return ''
  if (TLS_CODES.has(code)) return ' (TLS certificate verification failed; check tls.ca and the host name)'
  if (CLIENT_CERT_ALERTS.has(code)) return ' (the server refused our client certificate; check tls.cert and tls.key)'
  return ''
}

/**
 * Opens a TCP or TLS connection for a stream transport (tcp, beats) and resolves once it is
 * safe to write: connected, and for TLS 1.3 accepted by the server. The socket resolved is
 * unref()ed (an idle connection never holds the process), has no Nagle delay, TCP
 * keep-alive on, and an 'error' listener so that nothing is ever emitted unhandled.
 * Rejects with a retryable `TransportError` naming the address and the cause.
 */
export function connectSocket (options: ConnectSocketOptions): Promise<Socket> {
  const { host, port, tls, timeoutMs, address } = options
  return new Promise<Socket>((resolve, reject) => {
    // TLS runs over a TCP socket of our own, whose kernel write queue tells how far a write got.
    const raw = netConnect({ host, port })
    const socket: Socket = tls === undefined
      ? raw
      : tlsModule().connect({ ...tlsConnectOptions(host, port, tls), socket: raw })

    let settled = false
    let awaitingSession = false
    let sessionSeen = false
    const fail = (err: TransportError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      raw.destroy()
      reject(err)
    }
    const onError = (err: Error): void => {
      fail(new TransportError(`cannot connect to ${address}: ${describeSocketError(err)}${tlsHint((err as NodeJS.ErrnoException).code)}`, { retryable: true, connectFailed: true, cause: err }))
    }
    const onClose = (): void => fail(new TransportError(`${address} closed the connection while it was being set up`, { retryable: true, connectFailed: true, code: 'LOGSTASH_CLOSED' }))
    const ready = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.off('error', onError)
      socket.off('close', onClose)
      socket.off('session', onSession)
      raw.setNoDelay(true)
      raw.setKeepAlive(true, 30_000)
      // Later errors are seen by the transport's own listeners or by the write in progress;
      // this one only keeps an error from crashing the process.
      socket.on('error', () => {})
      const handle = (raw as unknown as { _handle?: QueueHandle | null })._handle
      if (handle !== undefined && handle !== null) TCP_HANDLES.set(socket, handle)
      socket.unref()
      if (raw !== socket) raw.unref()
      resolve(socket)
    }
    const onSession = (): void => {
      sessionSeen = true
      // Not from inside the event: Node loses what is written while it reports a session
      // ticket (the write callback still says success).
      if (awaitingSession) setImmediate(ready)
    }
    let timer = setTimeout(() => fail(new TransportError(`connect to ${address} timed out after ${timeoutMs} ms`, { retryable: true, connectFailed: true, code: 'LOGSTASH_TIMEOUT' })), timeoutMs)
    timer.unref()
    socket.once('error', onError)
    socket.once('close', onClose)
    // The TCP socket under a TLS one reports a refused connect itself.
    if (raw !== socket) raw.on('error', onError)
    options.prepare(socket)
    if (tls === undefined) {
      socket.once('connect', ready)
      return
    }
    // Listening before the handshake is what makes Node report session tickets at all.
    socket.once('session', onSession)
    socket.once('secureConnect', () => {
      // TLS 1.3 completes the client's side of the handshake before the server has checked
      // our certificate; a server that refuses it (none sent, unknown CA) says so only after
      // our first write, which would count as delivered and be lost, on every connection.
      // The session ticket the server sends once it accepted us is the confirmation; a
      // server that sends none is trusted after a short wait.
      if (sessionSeen || (socket as Tls.TLSSocket).getProtocol() !== 'TLSv1.3') { ready(); return }
      awaitingSession = true
      clearTimeout(timer)
      timer = setTimeout(ready, Math.min(timeoutMs, TLS13_CONFIRM_MS))
      timer.unref()
    })
  })
}
