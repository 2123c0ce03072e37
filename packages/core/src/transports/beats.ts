import type { Socket } from 'node:net'
import { TransportError } from '../errors'
import type { ResolvedTlsOptions } from '../options'
import { formatHostAddress } from '../host-address'
import { DEFAULT_CLOSE_GRACE_MS, type PooledTransport } from './connection'
import { AckReader, encodeWindow, LumberjackProtocolError } from './lumberjack'
import { bytesSource, stringSource, type EventSource } from './event-source'
import { ScratchBuffer } from './scratch-buffer'
import { closedError, SocketSlot } from './socket-slot'
import { describeSocketError } from './socket-options'
import type { EventBytes, SendOutcome } from '../contracts'

/** Options of `BeatsTransport`, resolved: the handler fills them from its options and `beats`. */
export interface BeatsTransportOptions {
  /** Logstash host name, IPv4 or IPv6 address. */
  host: string
  /** Port of the beats input (Logstash's convention: 5044). */
  port: number
  /** TLS options; `undefined` for plain TCP. */
  tls: ResolvedTlsOptions | undefined
  /** Connect and handshake timeout, and the longest wait for an ACK (reset by every partial ACK). */
  timeoutMs: number
  /** Sends under way at once: their windows go out without waiting for the previous ACK. */
  pipelining: number
  /** Events per window, acknowledged together. */
  windowSize: number
  /** zlib level (1-9) of the window's `2C` frame; 0 sends plain `2J` frames. */
  compressionLevel: number
}

/** One window of a send: encoded while earlier ones wait for their ACK, written in send order. */
interface Window {
  size: number
  encoded: Promise<Buffer>
  bytes: Buffer | undefined
  socket: Socket | undefined
  /** The kernel has not taken all of its bytes yet. */
  writing: boolean
  /** Highest sequence number the server acknowledged so far. */
  acked: number
  /** Whether any ACK, even `2A 0`, came for it. */
  heard: boolean
  /** Whether its connection had delivered an earlier window when it went out. */
  reused: boolean
  /** Already sent once more on a fresh connection (see #onConnectionLost). */
  retried: boolean
  settle: (err?: WindowError) => void
}

/** A window that failed after the server acknowledged its first `acked` events. */
class WindowError extends TransportError {
  constructor (readonly acked: number, message: string, options: { code?: string, cause?: unknown, connectFailed?: boolean } = {}) {
    super(message, { retryable: true, ...options })
  }
}

/**
 * Lumberjack v2, the protocol of Logstash's `beats` input, over one persistent TCP (or TLS)
 * connection. A batch goes out as windows of at most `windowSize` events; a window counts as
 * delivered when the server acknowledges its last sequence number, and `send()` resolves when
 * every window of the batch was. Up to `pipelining` sends share the connection: the next
 * window is compressed while the previous one waits for its ACK, and goes out at once, in
 * order; the server acknowledges windows one after the other. While it works, Logstash sends
 * ACKs for a smaller number (`2A 0` when busy): each one restarts the `timeoutMs` wait. A
 * window whose ACK does not come in time, or whose connection closes first, fails its send and
 * every other under way (retryable), with the events the server had acknowledged as settled:
 * they are not sent twice.
 */
export class BeatsTransport implements PooledTransport {
  readonly maxConcurrentSends: number
  readonly #host: string
  readonly #port: number
  readonly #tls: ResolvedTlsOptions | undefined
  readonly #timeoutMs: number
  readonly #windowSize: number
  readonly #compressionLevel: number
  /** Connections that delivered a window. */
  readonly #used = new WeakSet<Socket>()
  /** What windows are encoded into, kept between sends (see ScratchBuffer). */
  readonly #scratch: ScratchBuffer
  readonly #slot: SocketSlot
  /** Windows waiting to be written, in the order of their sends. */
  #queued: Window[] = []
  /** Windows written and not acknowledged, oldest first: the server acknowledges the first. */
  #open: Window[] = []
  #timer: NodeJS.Timeout | undefined
  #pumping = false
  #closed = false

  constructor (options: BeatsTransportOptions) {
    this.#host = options.host
    this.#port = options.port
    this.#tls = options.tls
    this.#timeoutMs = options.timeoutMs
    this.#windowSize = options.windowSize
    this.#compressionLevel = options.compressionLevel
    this.maxConcurrentSends = options.pipelining
    this.#scratch = new ScratchBuffer(options.pipelining)
    this.#slot = new SocketSlot({
      host: this.#host,
      port: this.#port,
      tls: this.#tls,
      timeoutMs: this.#timeoutMs,
      address: this.#address(),
      prepare: (socket) => this.#listen(socket)
    })
  }

  get pendingWrites (): number {
    let n = 0
    for (const window of this.#open) if (window.writing) n++
    return n
  }

  send (events: readonly string[]): Promise<void | SendOutcome> {
    return this.#send(stringSource(events))
  }

  sendBytes (events: EventBytes): Promise<void | SendOutcome> {
    return this.#send(bytesSource(events))
  }

  async #send (events: EventSource): Promise<void | SendOutcome> {
    if (events.length === 0) return
    if (this.#closed) throw closedError()
    const windows: Window[] = []
    const done: Promise<void>[] = []
    for (let start = 0; start < events.length; start += this.#windowSize) {
      const { window, settled } = this.#newWindow(events, start, Math.min(events.length, start + this.#windowSize))
      windows.push(window)
      done.push(settled)
    }
    this.#queued.push(...windows)
    void this.#pump()
    const results = await Promise.allSettled(done)
    const failed = results.findIndex((r) => r.status === 'rejected')
    if (failed === -1) return
    // Windows before the failed one were acknowledged whole; of that one, its first `acked`.
    const error = (results[failed] as PromiseRejectedResult).reason as WindowError
    let count = error.acked
    for (let i = 0; i < failed; i++) count += (windows[i] as Window).size
    throw count === 0 ? error : error.withSettled({ count, dropped: 0 })
  }

  async connect (): Promise<void> {
    await this.#slot.get()
  }

  abort (error: TransportError): void {
    const socket = this.#slot.current
    this.#failAll(error)
    if (socket !== undefined) {
      this.#slot.forget(socket)
      socket.destroy()
    }
  }

  async close (graceMs = Math.min(this.#timeoutMs, DEFAULT_CLOSE_GRACE_MS)): Promise<void> {
    this.#closed = true
    const busy = this.#open.length > 0
    this.#failAll(closedError())
    await this.#slot.close(busy ? 0 : graceMs)
  }

  #newWindow (events: EventSource, start: number, end: number): { window: Window, settled: Promise<void> } {
    let window!: Window
    const settled = new Promise<void>((resolve, reject) => {
      window = {
        size: end - start,
        encoded: encodeWindow(events, start, end, this.#compressionLevel, this.#scratch),
        bytes: undefined,
        socket: undefined,
        writing: false,
        acked: 0,
        heard: false,
        reused: false,
        retried: false,
        settle: (err) => {
          if (window.bytes !== undefined) this.#scratch.release(window.bytes, err === undefined && !window.writing)
          if (err === undefined) resolve(); else reject(err)
        }
      }
    })
    // Rejections are handled by send(); the encoding's own, by #pump.
    window.encoded.catch(() => {})
    return { window, settled }
  }

  // Writes the queued windows in order, each once encoded, on the connection (opened if needed).
  async #pump (): Promise<void> {
    if (this.#pumping) return
    this.#pumping = true
    try {
      while (this.#queued.length > 0 && !this.#closed) {
        const window = this.#queued[0] as Window
        let socket: Socket
        try {
          window.bytes ??= await window.encoded
          socket = await this.#slot.get()
        } catch (err) {
          this.#failAll(err instanceof TransportError ? err : new TransportError(`cannot encode a window for ${this.#address()}: ${String(err)}`, { retryable: true, cause: err }))
          return
        }
        if (this.#queued[0] !== window || this.#closed) continue
        this.#queued.shift()
        this.#write(window, socket)
      }
    } finally {
      this.#pumping = false
    }
  }

  #write (window: Window, socket: Socket): void {
    window.socket = socket
    window.reused = this.#used.has(socket)
    window.heard = false
    window.writing = true
    this.#open.push(window)
    if (this.#open[0] === window) this.#armTimer()
    socket.write(window.bytes as Buffer, (err) => {
      window.writing = false
      if (err !== undefined && err !== null) {
        this.#onConnectionLost(socket, new TransportError(`write to ${this.#address()} failed: ${describeSocketError(err)}`, { retryable: true, cause: err }), false)
      } else if (this.#open[0] === window) {
        // The wait for the ACK starts once the kernel has the window, however long that took.
        this.#armTimer()
      }
    })
  }

  // The ACK timeout of the oldest window: the server acknowledges windows in order.
  #armTimer (): void {
    clearTimeout(this.#timer)
    const head = this.#open[0]
    if (head === undefined) { this.#timer = undefined; return }
    this.#timer = setTimeout(() => {
      const socket = head.socket as Socket
      this.#onConnectionLost(socket, new WindowError(head.acked,
        `no ACK from ${this.#address()} within ${this.#timeoutMs} ms (${head.acked} of ${head.size} events acknowledged)`,
        { code: 'LOGSTASH_TIMEOUT' }), false)
    }, this.#timeoutMs)
    this.#timer.unref()
  }

  #onAck (socket: Socket, seq: number): void {
    const head = this.#open[0]
    if (head === undefined || head.socket !== socket) return
    head.heard = true
    if (seq >= head.size) {
      this.#open.shift()
      this.#used.add(socket)
      head.settle()
    } else if (seq > head.acked) {
      // "Still working": not an error, and proof the server is alive.
      head.acked = seq
    }
    this.#armTimer()
  }

  /**
   * The connection failed (closed, reset, timed out, or spoke something else than ACKs).
   * Late ACKs on it would be taken for another window's: it is destroyed. When the server
   * closed a kept connection (Logstash does after 60 s idle) just as windows went out, they
   * go once more on a fresh connection, as any client would do, without a report; otherwise
   * every window under way and queued fails.
   */
  #onConnectionLost (socket: Socket, error: TransportError, mayBeStale = true): void {
    this.#slot.forget(socket)
    socket.destroy()
    const lost = this.#open.filter((w) => w.socket === socket)
    if (lost.length === 0) return
    this.#open = this.#open.filter((w) => w.socket !== socket)
    this.#armTimer()
    const stale = mayBeStale && !(error.cause instanceof LumberjackProtocolError) &&
      lost.every((w) => w.reused && !w.heard && !w.retried)
    if (stale && !this.#closed) {
      for (const window of lost) { window.retried = true; window.acked = 0 }
      this.#queued.unshift(...lost)
      void this.#pump()
      return
    }
    for (const window of lost) window.settle(this.#windowError(window, error))
    this.#failQueued(error)
  }

  #failAll (error: TransportError): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const open = this.#open
    this.#open = []
    for (const window of open) window.settle(this.#windowError(window, error))
    this.#failQueued(error)
  }

  #failQueued (error: TransportError): void {
    for (const window of this.#queued.splice(0)) window.settle(this.#windowError(window, error))
  }

  #windowError (window: Window, error: TransportError): WindowError {
    if (error instanceof WindowError && error.acked === window.acked) return error
    return new WindowError(window.acked, error.message, { code: error.code, cause: error.cause ?? error, connectFailed: error.connectFailed })
  }

  /** ACKs, errors and the server's close, for the connection's whole life. Nothing is emitted unhandled. */
  #listen (socket: Socket): void {
    const reader = new AckReader()
    let lost = false
    const lose = (err?: Error): void => {
      if (lost) return
      lost = true
      if (err instanceof LumberjackProtocolError) {
        this.#onConnectionLost(socket, new TransportError(`${this.#address()}: ${err.message}`, { retryable: true, code: 'LOGSTASH_PROTOCOL', cause: err }))
        return
      }
      const head = this.#open.find((w) => w.socket === socket)
      const why = err === undefined ? 'closed' : `failed: ${describeSocketError(err)}`
      this.#onConnectionLost(socket, new TransportError(
        `connection to ${this.#address()} ${why} before the ACK${head === undefined ? '' : ` (${head.acked} of ${head.size} events acknowledged)`}`,
        { retryable: true, code: 'LOGSTASH_CLOSED', ...(err === undefined ? {} : { cause: err }) }))
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
    return `beats${this.#tls === undefined ? '' : '+tls'}://${formatHostAddress(this.#host, this.#port)}`
  }
}
