import type { Socket } from 'node:net'
import { TransportError } from '../errors'
import { connectSocket, type ConnectSocketOptions } from './connect'

/** The error of a send after `close()`. */
export function closedError (): TransportError {
  return new TransportError('transport is closed', { retryable: true, code: 'LOGSTASH_CLOSED' })
}

/**
 * The one connection of a stream transport (tcp, beats): opened on first use, reused while
 * healthy, replaced after the server closed or reset it, never opened after `close()`.
 */
export class SocketSlot {
  readonly #options: ConnectSocketOptions
  #socket: Socket | undefined
  #connecting: Promise<Socket> | undefined
  #closed = false

  constructor (options: ConnectSocketOptions) {
    this.#options = options
  }

  /** The connection in use, if any (it may have died since). */
  get current (): Socket | undefined {
    return this.#socket
  }

  /** A usable connection: the current one if healthy, else a new one. */
  get (): Promise<Socket> {
    if (this.#closed) return Promise.reject(closedError())
    const socket = this.#socket
    // A server that closed its side (readableEnded) or reset the connection is not written
    // to again: bytes written after the peer's FIN would be silently lost.
    if (socket !== undefined && !socket.destroyed && !socket.readableEnded && socket.writable) return Promise.resolve(socket)
    this.#socket = undefined
    socket?.destroy()
    this.#connecting ??= this.#connect().finally(() => { this.#connecting = undefined })
    return this.#connecting
  }

  /** The connection failed: the next `get()` opens another. */
  forget (socket: Socket): void {
    if (this.#socket === socket) this.#socket = undefined
  }

  /**
   * No further connections. The current one is ended: with `graceMs` > 0 gracefully (TLS's
   * close_notify, our FIN) and destroyed if the server has not closed its side within
   * `graceMs`; with 0, destroyed at once (the kernel still sends what it holds, then FIN).
   * A connection still being opened is dropped when it opens. The socket and the bounded
   * timer hold the process meanwhile: an `await handler.close()` in a signal handler must
   * resolve, not end with the process.
   */
  async close (graceMs: number): Promise<void> {
    this.#closed = true
    const socket = this.#socket
    this.#socket = undefined
    if (socket === undefined || socket.destroyed) return
    if (graceMs <= 0) { socket.destroy(); return }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { socket.destroy(); resolve() }, graceMs)
      socket.once('close', () => { clearTimeout(timer); resolve() })
      socket.ref()
      socket.end()
    })
  }

  async #connect (): Promise<Socket> {
    const socket = await connectSocket(this.#options)
    if (this.#closed) {
      socket.destroy()
      throw closedError()
    }
    this.#socket = socket
    return socket
  }
}
