import { connect as netConnect, type Socket } from 'node:net'
import type * as Tls from 'node:tls'
import { TransportError } from '../errors'
import { lazyBuiltin } from '../lazy-builtin'
import type { ResolvedTlsOptions } from '../options'
import type { Transport } from './types'
import { describeSocketError, tlsConnectOptions } from './socket-options'

export interface TcpTransportOptions {
  host: string
  port: number
  /** TLS options; `undefined` for plain TCP. */
  tls?: ResolvedTlsOptions | undefined
  /** Connect, handshake and write timeout. @default 5000 */
  timeoutMs?: number
}

/**
 * A batch up to this size is encoded into a buffer the transport keeps between sends; a
 * larger one gets a buffer of its own. A fresh large allocation per batch (what
 * `socket.write(events.join('\n'))` makes twice: the joined string and its UTF-8 copy) costs
 * a page fault per 4 KiB on every send; bench/README.md has the figures.
 */
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024

// node:tls brings OpenSSL's state with it (about 4 MiB of RSS, measured in bench/): it is
// loaded on the first TLS connection, not with the package.
const tlsModule = lazyBuiltin<typeof Tls>('node:tls')

// TLS certificate problems are not going to fix themselves between two retries, but the
// server's certificate may be replaced: they stay retryable, and the report says why.
/** Error codes of a failed certificate check, which get a hint in the report (shared with beats). */
export const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'])
// Alerts of a server that wants a client certificate we did not send or it does not trust.
const CLIENT_CERT_ALERTS = new Set(['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN'])
/** Longest wait, after a TLS 1.3 handshake, for the server's session ticket (see #connect). */
const TLS13_CONFIRM_MS = 500

/**
 * JSON lines over one persistent TCP (or TLS) connection. A batch is one write; it counts as
 * delivered when the kernel has taken the bytes (the write callback). The connection is
 * opened on the first send, kept while it works, and replaced after any error or after the
 * server closed it. An idle connection does not keep the process alive.
 */
export class TcpTransport implements Transport {
  readonly #host: string
  readonly #port: number
  readonly #tls: ResolvedTlsOptions | undefined
  readonly #timeoutMs: number
  #socket: Socket | undefined
  #connecting: Promise<Socket> | undefined
  #closed = false
  #scratch: Buffer | undefined
  /** The scratch buffer is being written: a concurrent send must not overwrite it. */
  #scratchBusy = false

  constructor (options: TcpTransportOptions) {
    this.#host = options.host
    this.#port = options.port
    this.#tls = options.tls
    this.#timeoutMs = options.timeoutMs ?? 5000
  }

  async send (events: readonly string[]): Promise<void> {
    if (events.length === 0) return
    if (this.#closed) throw new TransportError('transport is closed', { retryable: true, code: 'LOGSTASH_CLOSED' })
    // A FIN or RST the server sent may already wait in our kernel, but only the event loop's
    // poll phase turns it into 'end' or 'error'. Without one turn first, a batch sent from a
    // timer (or right after the previous batch) would be written into the dead connection
    // and vanish while counting as delivered.
    if (this.#socket !== undefined) await new Promise<void>((resolve) => setImmediate(resolve))
    const socket = await this.#connection()
    const bytes = jsonLinesByteLength(events)
    if (this.#scratchBusy || bytes > SCRATCH_MAX_BYTES) {
      await this.#write(socket, encodeJsonLines(events, Buffer.allocUnsafeSlow(bytes)))
      return
    }
    // A quarter more than needed, so batches that grow a little do not reallocate each time.
    if (this.#scratch === undefined || this.#scratch.length < bytes) this.#scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX_BYTES, bytes + (bytes >> 2)))
    this.#scratchBusy = true
    try {
      await this.#write(socket, encodeJsonLines(events, this.#scratch))
    } catch (err) {
      // The bytes may still be referenced by a write the socket abandoned: never reuse them.
      this.#scratch = undefined
      throw err
    } finally {
      this.#scratchBusy = false
    }
  }

  async close (): Promise<void> {
    this.#closed = true
    const socket = this.#socket ?? await this.#connecting?.catch(() => undefined)
    this.#socket = undefined
    if (socket === undefined || socket.destroyed) return
    // A graceful end lets the kernel deliver what it holds; destroy if the peer never answers.
    // The socket and this bounded timer hold the process until the end is done: a
    // `await handler.close()` in a signal handler must resolve, not end with the process.
    await new Promise<void>((resolve) => {
      // Not unref()ed: close() is awaited, and the wait is short and bounded.
      const timer = setTimeout(() => { socket.destroy(); resolve() }, Math.min(this.#timeoutMs, 1000))
      socket.once('close', () => { clearTimeout(timer); resolve() })
      socket.ref()
      socket.end()
    })
  }

  #connection (): Promise<Socket> {
    const socket = this.#socket
    // A server that closed its side (readableEnded) or reset the connection is not written
    // to again: bytes written after the peer's FIN would be silently lost.
    if (socket !== undefined && !socket.destroyed && !socket.readableEnded && socket.writable) return Promise.resolve(socket)
    this.#socket = undefined
    socket?.destroy()
    this.#connecting ??= this.#connect().finally(() => { this.#connecting = undefined })
    return this.#connecting
  }

  #connect (): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const tls = this.#tls
      const socket = tls === undefined
        ? netConnect({ host: this.#host, port: this.#port })
        : tlsModule().connect(tlsConnectOptions(this.#host, this.#port, tls))
      let settled = false
      let awaitingSession = false
      let sessionSeen = false
      const fail = (err: TransportError): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        socket.destroy()
        reject(err)
      }
      const onError = (err: Error): void => {
        const code = (err as NodeJS.ErrnoException).code
        const hint = code === undefined
          ? ''
          : TLS_CODES.has(code)
            ? ' (TLS certificate verification failed; check tls.ca and the host name)'
            : CLIENT_CERT_ALERTS.has(code) ? ' (the server refused our client certificate; check tls.cert and tls.key)' : ''
        fail(new TransportError(`cannot connect to ${this.#address()}: ${describeSocketError(err)}${hint}`, { retryable: true, cause: err }))
      }
      const onClose = (): void => fail(new TransportError(`${this.#address()} closed the connection while it was being set up`, { retryable: true, code: 'LOGSTASH_CLOSED' }))
      const ready = (): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        socket.off('error', onError)
        socket.off('close', onClose)
        socket.off('session', onSession)
        socket.setNoDelay(true)
        socket.setKeepAlive(true, 30_000)
        // Errors after the connection is up are seen by the write in progress, or by the
        // next send through `destroyed`; this listener only keeps them from crashing the process.
        socket.on('error', () => {})
        socket.unref()
        if (this.#closed) {
          socket.destroy()
          reject(new TransportError('transport is closed', { retryable: true, code: 'LOGSTASH_CLOSED' }))
          return
        }
        this.#socket = socket
        resolve(socket)
      }
      const onSession = (): void => {
        sessionSeen = true
        // Not from inside the event: Node loses what is written while it reports a
        // session ticket (the write callback still says success).
        if (awaitingSession) setImmediate(ready)
      }
      let timer = setTimeout(() => fail(new TransportError(`connect to ${this.#address()} timed out after ${this.#timeoutMs} ms`, { retryable: true, code: 'LOGSTASH_TIMEOUT' })), this.#timeoutMs)
      timer.unref()
      socket.once('error', onError)
      socket.once('close', onClose)
      // Logstash sends nothing; reading is how the server's FIN or RST becomes visible.
      socket.on('data', () => {})
      socket.on('end', () => socket.destroy())
      if (tls === undefined) {
        socket.once('connect', ready)
        return
      }
      // Listening before the handshake is what makes Node report session tickets at all.
      socket.once('session', onSession)
      socket.once('secureConnect', () => {
        // TLS 1.3 completes the client's side of the handshake before the server has
        // checked our certificate; a server that refuses it (none sent, unknown CA) says so
        // only after our first write, which would count as delivered and be lost, every
        // connection again. The session ticket the server sends once it accepted us is the
        // confirmation; a server that sends none is trusted after a short wait.
        if (sessionSeen || (socket as Tls.TLSSocket).getProtocol() !== 'TLSv1.3') { ready(); return }
        awaitingSession = true
        clearTimeout(timer)
        timer = setTimeout(ready, Math.min(this.#timeoutMs, TLS13_CONFIRM_MS))
        timer.unref()
      })
    })
  }

  #write (socket: Socket, payload: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const finish = (err?: Error | null): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        socket.off('close', onClose)
        if (err === undefined || err === null) { resolve(); return }
        socket.destroy()
        if (this.#socket === socket) this.#socket = undefined
        reject(err instanceof TransportError ? err : new TransportError(`write to ${this.#address()} failed: ${describeSocketError(err)}`, { retryable: true, cause: err }))
      }
      const onClose = (): void => finish(new TransportError(`connection to ${this.#address()} closed during write`, { retryable: true, code: 'LOGSTASH_CLOSED' }))
      const timer = setTimeout(() => finish(new TransportError(`write to ${this.#address()} timed out after ${this.#timeoutMs} ms`, { retryable: true, code: 'LOGSTASH_TIMEOUT' })), this.#timeoutMs)
      timer.unref()
      socket.once('close', onClose)
      // The callback runs once the bytes are handed to the kernel, after any 'drain' wait.
      socket.write(payload, finish)
    })
  }

  #address (): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host
    return `${this.#tls === undefined ? 'tcp' : 'tls'}://${host}:${this.#port}`
  }
}

/** Bytes of `events` as UTF-8 JSON lines, one newline after each. */
function jsonLinesByteLength (events: readonly string[]): number {
  let bytes = events.length
  for (const event of events) bytes += Buffer.byteLength(event)
  return bytes
}

/** Writes `events` as UTF-8 JSON lines to the start of `target` (large enough); returns that part. */
function encodeJsonLines (events: readonly string[], target: Buffer): Buffer {
  let offset = 0
  for (const event of events) {
    offset += target.write(event, offset)
    target[offset++] = 0x0a
  }
  return target.subarray(0, offset)
}
