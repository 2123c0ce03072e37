import type { Socket } from 'node:net'
import { TransportError } from '../errors'
import type { ResolvedTlsOptions } from '../options'
import type { Transport } from '../contracts'
import { closedError, SocketSlot } from './socket-slot'
import { describeSocketError } from './socket-options'
import { ScratchBuffer, utf8Bound } from './scratch-buffer'

export interface TcpTransportOptions {
  host: string
  port: number
  /** TLS options; `undefined` for plain TCP. */
  tls?: ResolvedTlsOptions | undefined
  /** Connect, handshake and write timeout. @default 5000 */
  timeoutMs?: number
}

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
  readonly #slot: SocketSlot
  #closed = false
  /**
   * What batches are encoded into: a fresh large allocation per batch (what
   * `socket.write(events.join('\n'))` makes twice: the joined string and its UTF-8 copy)
   * costs a page fault per 4 KiB on every send.
   */
  readonly #scratch = new ScratchBuffer()

  constructor (options: TcpTransportOptions) {
    this.#host = options.host
    this.#port = options.port
    this.#tls = options.tls
    this.#timeoutMs = options.timeoutMs ?? 5000
    this.#slot = new SocketSlot({
      host: this.#host,
      port: this.#port,
      tls: this.#tls,
      timeoutMs: this.#timeoutMs,
      address: this.#address(),
      prepare: (socket) => {
        // Logstash sends nothing; reading is how the server's FIN or RST becomes visible.
        socket.on('data', () => {})
        socket.on('end', () => socket.destroy())
      }
    })
  }

  async send (events: readonly string[]): Promise<void> {
    if (events.length === 0) return
    if (this.#closed) throw closedError()
    // A FIN or RST the server sent may already wait in our kernel, but only the event loop's
    // poll phase turns it into 'end' or 'error'. Without one turn first, a batch sent from a
    // timer (or right after the previous batch) would be written into the dead connection
    // and vanish while counting as delivered.
    if (this.#slot.current !== undefined) await new Promise<void>((resolve) => setImmediate(resolve))
    const socket = await this.#slot.get()
    let bound = events.length
    for (const event of events) bound += utf8Bound(event)
    const target = this.#scratch.take(bound) ?? Buffer.allocUnsafeSlow(jsonLinesByteLength(events))
    const payload = encodeJsonLines(events, target)
    try {
      await this.#write(socket, payload)
    } catch (err) {
      // The bytes may still be referenced by a write the socket abandoned: never reuse them.
      this.#scratch.release(payload, false)
      throw err
    }
    this.#scratch.release(payload, true)
  }

  async close (): Promise<void> {
    this.#closed = true
    await this.#slot.close(Math.min(this.#timeoutMs, 1000))
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
        this.#slot.forget(socket)
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
