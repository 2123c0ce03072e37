import { connect as netConnect, type Socket } from 'node:net'
import type * as Tls from 'node:tls'
import { TransportError } from '../errors'
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
let tlsModule: typeof Tls | undefined
function tls (): typeof Tls {
  tlsModule ??= require('node:tls') as typeof Tls
  return tlsModule
}

// TLS certificate problems are not going to fix themselves between two retries, but the
// server's certificate may be replaced: they stay retryable, and the report says why.
/** Error codes of a failed certificate check, which get a hint in the report (shared with beats). */
export const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'])

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
      const socket = this.#tls === undefined
        ? netConnect({ host: this.#host, port: this.#port })
        : tls().connect(tlsConnectOptions(this.#host, this.#port, this.#tls))
      const readyEvent = this.#tls === undefined ? 'connect' : 'secureConnect'
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new TransportError(`connect to ${this.#address()} timed out after ${this.#timeoutMs} ms`, { retryable: true, code: 'LOGSTASH_TIMEOUT' }))
      }, this.#timeoutMs)
      timer.unref()
      const onError = (err: Error): void => {
        clearTimeout(timer)
        socket.destroy()
        const code = (err as NodeJS.ErrnoException).code
        const hint = code !== undefined && TLS_CODES.has(code) ? ' (TLS certificate verification failed; check tls.ca and the host name)' : ''
        reject(new TransportError(`cannot connect to ${this.#address()}: ${describeSocketError(err)}${hint}`, { retryable: true, cause: err }))
      }
      socket.once('error', onError)
      socket.once(readyEvent, () => {
        clearTimeout(timer)
        socket.off('error', onError)
        socket.setNoDelay(true)
        socket.setKeepAlive(true, 30_000)
        // Errors after the connection is up are seen by the write in progress, or by the
        // next send through `destroyed`; this listener only keeps them from crashing the process.
        socket.on('error', () => {})
        // Logstash sends nothing; reading is how the server's FIN or RST becomes visible.
        socket.on('data', () => {})
        socket.on('end', () => socket.destroy())
        socket.unref()
        if (this.#closed) {
          socket.destroy()
          reject(new TransportError('transport is closed', { retryable: true, code: 'LOGSTASH_CLOSED' }))
          return
        }
        this.#socket = socket
        resolve(socket)
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
