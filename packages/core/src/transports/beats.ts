import type { Socket } from 'node:net'
import { TransportError } from '../errors'
import type { ResolvedTlsOptions } from '../options'
import { AckReader, encodeWindow, LumberjackProtocolError } from './lumberjack'
import { ResumePoint } from './resume-point'
import { ScratchBuffer } from './scratch-buffer'
import { closedError, SocketSlot } from './socket-slot'
import { describeSocketError } from './socket-options'
import type { SendOutcome, Transport } from '../contracts'

/** Options of `BeatsTransport`; the handler fills them from `host`, `port`, `tls`, `timeoutMs` and `beats`. */
export interface BeatsTransportOptions {
  /** Logstash host name, IPv4 or IPv6 address. */
  host: string
  /** Port of the beats input (Logstash's convention: 5044). */
  port: number
  /** TLS options; `undefined` for plain TCP. */
  tls?: ResolvedTlsOptions | undefined
  /** Connect and handshake timeout, and the longest wait for an ACK (reset by every partial ACK). @default 5000 */
  timeoutMs?: number
  /** Events per window, acknowledged together. @default 1000 */
  windowSize?: number
  /** zlib level (1-9) of the window's `2C` frame; 0 sends plain `2J` frames. @default 6 */
  compressionLevel?: number
}

/** The window waiting for its ACK. */
interface OpenWindow {
  socket: Socket
  size: number
  /** Highest sequence number the server acknowledged so far. */
  acked: number
  /** Whether any ACK, even `2A 0`, came for this window. */
  heard: boolean
  /** Whether the connection delivered an earlier window. */
  reused: boolean
  timer: NodeJS.Timeout | undefined
  settle: (err?: TransportError) => void
}

/** A window that failed after the server acknowledged its first `acked` events. */
class WindowError extends TransportError {
  /** The connection had served earlier windows and closed without a word about this one. */
  stale = false

  constructor (readonly acked: number, message: string, options: { code?: string, cause?: unknown } = {}) {
    super(message, { retryable: true, ...options })
  }
}

/**
 * Lumberjack v2, the protocol of Logstash's `beats` input, over one persistent TCP (or TLS)
 * connection. A batch goes out as windows of at most `windowSize` events; a window counts as
 * delivered when the server acknowledges its last sequence number, and `send()` resolves when
 * every window of the batch was. While it works, Logstash sends ACKs for a smaller number
 * (`2A 0` when busy): each one restarts the `timeoutMs` wait. A window whose ACK does not
 * come in time, or whose connection closes first, fails the send (retryable); the worker
 * sends the batch again, on a new connection, and the events the server had acknowledged
 * are not sent twice.
 */
export class BeatsTransport implements Transport {
  readonly #host: string
  readonly #port: number
  readonly #tls: ResolvedTlsOptions | undefined
  readonly #timeoutMs: number
  readonly #windowSize: number
  readonly #compressionLevel: number
  readonly #resume = new ResumePoint()
  /** Connections that delivered a window. */
  readonly #used = new WeakSet<Socket>()
  /** What windows are encoded into, kept between sends (see ScratchBuffer). */
  readonly #scratch = new ScratchBuffer()
  readonly #slot: SocketSlot
  #window: OpenWindow | undefined
  #closed = false

  constructor (options: BeatsTransportOptions) {
    this.#host = options.host
    this.#port = options.port
    this.#tls = options.tls
    this.#timeoutMs = options.timeoutMs ?? 5000
    this.#windowSize = options.windowSize ?? 1000
    this.#compressionLevel = options.compressionLevel ?? 6
    this.#slot = new SocketSlot({
      host: this.#host,
      port: this.#port,
      tls: this.#tls,
      timeoutMs: this.#timeoutMs,
      address: this.#address(),
      prepare: (socket) => this.#listen(socket)
    })
  }

  async send (events: readonly string[]): Promise<void | SendOutcome> {
    if (events.length === 0) return
    if (this.#closed) throw closedError()
    let done = this.#resume.take(events).count
    while (done < events.length) {
      const window = events.slice(done, done + this.#windowSize)
      let bytes: Buffer | undefined
      try {
        bytes = await encodeWindow(window, this.#compressionLevel, this.#scratch)
        const encoded = bytes
        await this.#sendWindow(await this.#slot.get(), encoded, window.length).catch(async (err: unknown) => {
          // The server closed the kept connection (idle timeout) as the window went out:
          // the window goes once more on a fresh connection, as any client would do.
          if (!(err instanceof WindowError && err.stale)) throw err
          await this.#sendWindow(await this.#slot.get(), encoded, window.length)
        })
        // Acknowledged: the server has every byte, so no write still reads them.
        this.#scratch.release(bytes, true)
      } catch (err) {
        // A failed window's bytes may still be queued on the destroyed socket: never reused.
        if (bytes !== undefined) this.#scratch.release(bytes, false)
        const acked = err instanceof WindowError ? err.acked : 0
        this.#resume.remember(events, { count: done + acked, dropped: 0, error: undefined })
        throw err
      }
      done += window.length
    }
  }

  async close (): Promise<void> {
    this.#closed = true
    this.#window?.settle(closedError())
    await this.#slot.close(Math.min(this.#timeoutMs, 1000))
  }

  async #sendWindow (socket: Socket, bytes: Buffer, size: number): Promise<void> {
    if (this.#closed) throw closedError()
    await new Promise<void>((resolve, reject) => {
      const window: OpenWindow = {
        socket,
        size,
        acked: 0,
        heard: false,
        reused: this.#used.has(socket),
        timer: undefined,
        settle: (err) => {
          if (this.#window !== window) return
          this.#window = undefined
          clearTimeout(window.timer)
          if (err === undefined) { this.#used.add(socket); resolve(); return }
          // Late ACKs on this connection would be taken for the next window's: start afresh.
          socket.destroy()
          this.#slot.forget(socket)
          reject(err)
        }
      }
      this.#window = window
      this.#armTimer(window)
      socket.write(bytes, (err) => {
        if (err !== undefined && err !== null) {
          window.settle(new WindowError(window.acked, `write to ${this.#address()} failed: ${describeSocketError(err)}`, { cause: err }))
        } else {
          // The wait for the ACK starts once the kernel has the window, however long that took.
          this.#armTimer(window)
        }
      })
    })
  }

  #armTimer (window: OpenWindow): void {
    clearTimeout(window.timer)
    window.timer = setTimeout(() => {
      window.settle(new WindowError(window.acked,
        `no ACK from ${this.#address()} within ${this.#timeoutMs} ms (${window.acked} of ${window.size} events acknowledged)`,
        { code: 'LOGSTASH_TIMEOUT' }))
    }, this.#timeoutMs)
    window.timer.unref()
  }

  #onAck (socket: Socket, seq: number): void {
    const window = this.#window
    if (window === undefined || window.socket !== socket) return
    window.heard = true
    if (seq >= window.size) { window.settle(); return }
    // "Still working": not an error, and proof the server is alive.
    if (seq > window.acked) window.acked = seq
    this.#armTimer(window)
  }

  #onConnectionLost (socket: Socket, err?: Error): void {
    this.#slot.forget(socket)
    const window = this.#window
    if (window === undefined || window.socket !== socket) return
    if (err instanceof LumberjackProtocolError) {
      window.settle(new WindowError(window.acked, `${this.#address()}: ${err.message}`, { code: 'LOGSTASH_PROTOCOL', cause: err }))
      return
    }
    const why = err === undefined ? 'closed' : `failed: ${describeSocketError(err)}`
    const error = new WindowError(window.acked,
      `connection to ${this.#address()} ${why} before the ACK (${window.acked} of ${window.size} events acknowledged)`,
      { code: 'LOGSTASH_CLOSED', ...(err === undefined ? {} : { cause: err }) })
    error.stale = window.reused && !window.heard
    window.settle(error)
  }

  /** ACKs, errors and the server's close, for the connection's whole life. Nothing is emitted unhandled. */
  #listen (socket: Socket): void {
    const reader = new AckReader()
    let lost = false
    const lose = (err?: Error): void => {
      if (lost) return
      lost = true
      socket.destroy()
      this.#onConnectionLost(socket, err)
    }
    socket.on('data', (chunk: Buffer) => {
      let acks: number[]
      try {
        acks = reader.push(chunk)
      } catch (err) {
        lose(err as Error)
        return
      }
      for (const seq of acks) this.#onAck(socket, seq)
    })
    socket.on('error', lose)
    // A server that closes its side (Logstash does after 60 s idle) will not ACK anything more.
    socket.on('end', () => lose())
    socket.on('close', () => lose())
  }

  #address (): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host
    return `beats${this.#tls === undefined ? '' : '+tls'}://${host}:${this.#port}`
  }
}
