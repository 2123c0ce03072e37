import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
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

// TLS certificate problems are not going to fix themselves between two retries, but the
// server's certificate may be replaced: they stay retryable, and the report says why.
const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
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
    await this.#write(socket, events.join('\n') + '\n')
  }

  async close (): Promise<void> {
    this.#closed = true
    const socket = this.#socket ?? await this.#connecting?.catch(() => undefined)
    this.#socket = undefined
    if (socket === undefined || socket.destroyed) return
    // A graceful end lets the kernel deliver what it holds; destroy if the peer never answers.
    // The socket is ref'd meanwhile: close() is awaited, and an unref'd socket would let the
    // process leave before it resolves.
    socket.ref()
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { socket.destroy(); resolve() }, Math.min(this.#timeoutMs, 1000))
      timer.unref()
      socket.once('close', () => { clearTimeout(timer); resolve() })
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
        : tlsConnect(tlsConnectOptions(this.#host, this.#port, this.#tls))
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

  #write (socket: Socket, payload: string): Promise<void> {
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
