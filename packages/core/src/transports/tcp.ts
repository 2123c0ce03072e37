import type { Socket } from 'node:net'
import { TransportError } from '../errors'
import type { EventBytes } from '../contracts'
import type { ResolvedTlsOptions } from '../options'
import { formatHostAddress } from '../host-address'
import { DEFAULT_CLOSE_GRACE_MS, type ConnectionHooks, type PooledTransport } from './connection'
import { closedError, SocketSlot } from './socket-slot'
import { describeSocketError } from './socket-options'
import { ScratchBuffer } from './scratch-buffer'
import { bytesSource, stringSource, type EventSource } from './event-source'
import { WriteProgress } from './write-progress'
import { countLines, encodeJsonLines, jsonLinesByteLength } from './json-lines'

/** Options of `TcpTransport`, resolved: the handler fills them from its options. */
export interface TcpTransportOptions {
  host: string
  port: number
  /** TLS options; `undefined` for plain TCP. */
  tls: ResolvedTlsOptions | undefined
  /** Connect and handshake timeout; a write that makes no progress this long is stalled. */
  timeoutMs: number
  /** Batches accepted at once: the one being written and those queued behind it. */
  pipelining: number
}

/** A send waiting for its turn, or being written. */
interface QueuedSend {
  events: EventSource
  resolve: () => void
  reject: (err: TransportError) => void
}

/** The write under way: its bytes, and how far the kernel has taken them. */
interface Writing {
  send: QueuedSend
  socket: Socket
  payload: Buffer
  progress: WriteProgress
  /** Bytes of the pieces written before the current one: the kernel has them all. */
  written: number
  /** Bytes of the piece being written. */
  chunk: number
}

/** Most bytes handed to the socket at once (see #writeChunk). */
const WRITE_CHUNK_BYTES = 64 * 1024

/**
 * JSON lines over one persistent TCP (or TLS) connection. A batch is one write and counts
 * as delivered when the kernel has taken all of its bytes (the write callback); batches
 * sent together are written one after the other, in order. The connection is opened on the
 * first send, kept while it works, and replaced after it died or the server closed it. An
 * idle connection does not keep the process alive.
 *
 * A receiver that stops reading is not a failure: the write waits, however long, and after
 * `timeoutMs` without progress the connection counts as stalled (the pool then gives new
 * batches to other hosts). When the connection dies during a write, the lines the kernel had
 * taken in full count as delivered and only the rest is sent again (TLS hides that count:
 * the whole batch is). Lines are never cut: a batch goes on one connection, whole.
 */
export class TcpTransport implements PooledTransport {
  readonly maxConcurrentSends: number
  readonly #host: string
  readonly #port: number
  readonly #tls: ResolvedTlsOptions | undefined
  readonly #timeoutMs: number
  readonly #slot: SocketSlot
  readonly #hooks: ConnectionHooks
  readonly #queue: QueuedSend[] = []
  #writing: Writing | undefined
  #starting = false
  #closed = false
  /**
   * What batches are encoded into: a fresh large allocation per batch (what
   * `socket.write(events.join('\n'))` makes twice: the joined string and its UTF-8 copy)
   * costs a page fault per 4 KiB on every send. One write at a time: one buffer.
   */
  readonly #scratch = new ScratchBuffer()

  constructor (options: TcpTransportOptions, hooks: ConnectionHooks = {}) {
    this.#host = options.host
    this.#port = options.port
    this.#tls = options.tls
    this.#timeoutMs = options.timeoutMs
    this.maxConcurrentSends = options.pipelining
    this.#hooks = hooks
    this.#slot = new SocketSlot({
      host: this.#host,
      port: this.#port,
      tls: this.#tls,
      timeoutMs: this.#timeoutMs,
      address: this.#address(),
      prepare: (socket) => this.#listen(socket)
    })
  }

  get stalled (): boolean { return this.#writing?.progress.stalled ?? false }

  get pendingWrites (): number { return this.#writing === undefined ? 0 : 1 }

  send (events: readonly string[]): Promise<void> {
    return this.#enqueue(stringSource(events))
  }

  sendBytes (events: EventBytes): Promise<void> {
    return this.#enqueue(bytesSource(events))
  }

  #enqueue (events: EventSource): Promise<void> {
    if (events.length === 0) return Promise.resolve()
    if (this.#closed) return Promise.reject(closedError())
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ events, resolve, reject })
      void this.#next()
    })
  }

  async connect (): Promise<void> {
    await this.#slot.get()
  }

  abort (error: TransportError): void {
    const writing = this.#writing
    if (writing !== undefined) this.#fail(writing, error)
    this.#rejectQueued(error)
  }

  /**
   * Abandons the write under way (its send rejects, with the lines the kernel took in full
   * as settled) and the batches queued behind it, then closes the connection: gracefully
   * within `graceMs` when no write was under way, else at once.
   */
  async close (graceMs = Math.min(this.#timeoutMs, DEFAULT_CLOSE_GRACE_MS)): Promise<void> {
    this.#closed = true
    const writing = this.#writing
    if (writing !== undefined) this.#fail(writing, closedError())
    this.#rejectQueued(closedError())
    await this.#slot.close(writing === undefined ? graceMs : 0)
  }

  // Starts the next queued write, if none is under way.
  async #next (): Promise<void> {
    if (this.#writing !== undefined || this.#starting || this.#queue.length === 0) return
    this.#starting = true
    let socket: Socket
    try {
      // A FIN or RST the server sent may already wait in our kernel, but only the event
      // loop's poll phase turns it into 'end' or 'error'. Without one turn first, a batch
      // sent from a timer (or right after the previous batch) would be written into the dead
      // connection and vanish while counting as delivered.
      if (this.#slot.current !== undefined) await new Promise<void>((resolve) => setImmediate(resolve))
      socket = await this.#slot.get()
    } catch (err) {
      this.#starting = false
      this.#rejectQueued(err instanceof TransportError ? err : new TransportError(String(err), { retryable: true }))
      return
    }
    this.#starting = false
    this.#write(socket)
  }

  #write (socket: Socket): void {
    const send = this.#queue.shift()
    if (send === undefined) return
    if (this.#closed) {
      send.reject(closedError())
      this.#rejectQueued(closedError())
      return
    }
    const { events } = send
    const target = this.#scratch.take(events.bound(0, events.length)) ?? Buffer.allocUnsafeSlow(jsonLinesByteLength(events))
    const payload = encodeJsonLines(events, target)
    const writing: Writing = { send, socket, payload, progress: undefined as unknown as WriteProgress, written: 0, chunk: 0 }
    writing.progress = new WriteProgress(socket, {
      timeoutMs: this.#timeoutMs,
      onStall: (stalled) => this.#hooks.onStall?.(stalled),
      position: () => writing.written
    })
    this.#writing = writing
    this.#writeChunk(writing)
  }

  /**
   * Writes the next piece of the batch, cut at a line end, once the kernel has the previous
   * one: when the connection dies, the kernel has taken every piece before the current one,
   * and of the current one what its socket said last (see WriteProgress). Only the lines
   * after that are sent again: at most one piece of lines may go twice, and only when the
   * receiver read them in the moment before the connection failed.
   */
  #writeChunk (writing: Writing): void {
    const { payload, socket } = writing
    const start = writing.written
    let end = payload.length
    if (end - start > WRITE_CHUNK_BYTES) {
      const newline = payload.lastIndexOf(0x0a, start + WRITE_CHUNK_BYTES - 1)
      end = newline >= start ? newline + 1 : payload.indexOf(0x0a, start + WRITE_CHUNK_BYTES) + 1 || payload.length
    }
    writing.chunk = end - start
    // The callback runs once the kernel has every byte, after any wait for 'drain'.
    socket.write(payload.subarray(start, end), (err) => {
      if (this.#writing !== writing) return
      if (err !== undefined && err !== null) {
        this.#fail(writing, new TransportError(`write to ${this.#address()} failed: ${describeSocketError(err)}`, { retryable: true, cause: err }))
        return
      }
      writing.written = end
      writing.chunk = 0
      if (end < payload.length) { this.#writeChunk(writing); return }
      this.#written(writing)
    })
    writing.progress.sample()
  }

  #written (writing: Writing): void {
    const { send, socket, payload, progress } = writing
    this.#writing = undefined
    progress.stop()
    this.#scratch.release(payload, true)
    send.resolve()
    // A server that closed its side is not written to again: the next batch gets a new connection.
    if (socket.readableEnded) this.#drop(socket)
    if (this.#queue.length > 0) {
      if (socket.writable && !socket.readableEnded) this.#write(socket)
      else void this.#next()
    }
  }

  /**
   * The write under way failed (the connection died, or close() gave up on it): the lines
   * the kernel took in full are settled, the rest of the batch and every batch queued
   * behind it go back. The connection is destroyed: what the kernel holds still reaches
   * the server, then our FIN.
   */
  #fail (writing: Writing, error: TransportError): void {
    if (this.#writing !== writing) return
    this.#writing = undefined
    writing.progress.sample()
    const settled = countLines(writing.payload, writing.written + this.#takenOfChunk(writing))
    writing.progress.stop()
    // The bytes may still be referenced by the write the socket abandons: never reused.
    this.#scratch.release(writing.payload, false)
    this.#drop(writing.socket)
    writing.send.reject(settled === 0 ? error : error.withSettled({ count: settled, dropped: 0 }))
    this.#rejectQueued(error)
  }

  // Bytes of the piece being written that the kernel had taken at the last look; under TLS
  // the count is of encrypted records, so none are counted (the piece is sent again).
  #takenOfChunk ({ chunk, progress }: Writing): number {
    const { backlog } = progress
    if (this.#tls !== undefined || backlog === undefined) return 0
    return Math.max(0, Math.min(chunk, chunk - backlog))
  }

  #rejectQueued (error: TransportError): void {
    for (const send of this.#queue.splice(0)) send.reject(error)
  }

  #drop (socket: Socket): void {
    this.#slot.forget(socket)
    socket.destroy()
  }

  // Logstash sends nothing; reading is how the server's FIN or RST becomes visible.
  #listen (socket: Socket): void {
    const died = (err?: Error): void => {
      const writing = this.#writing
      if (writing === undefined || writing.socket !== socket) {
        this.#drop(socket)
        return
      }
      // Look now, while the handle still tells how much of the write the kernel took.
      writing.progress.sample()
      this.#fail(writing, new TransportError(err === undefined
        ? `connection to ${this.#address()} closed during write`
        : `write to ${this.#address()} failed: ${describeSocketError(err)}`, { retryable: true, code: err === undefined ? 'LOGSTASH_CLOSED' : 'LOGSTASH_TRANSPORT', cause: err }))
    }
    socket.on('data', () => {})
    socket.on('error', died)
    socket.on('close', () => died())
    // The server closed its side. A write under way goes on (a server that still reads
    // gets it whole; one that is gone answers with a reset, seen as an error); the
    // connection is replaced once it ends.
    socket.on('end', () => {
      const writing = this.#writing
      if (writing === undefined || writing.socket !== socket) this.#drop(socket)
      else writing.progress.sample()
    })
  }

  #address (): string {
    return `${this.#tls === undefined ? 'tcp' : 'tls'}://${formatHostAddress(this.#host, this.#port)}`
  }
}
