import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'

/**
 * Watches the plain TCP client sockets this process opens (`net.connect` announces each on
 * the `net.client.socket` diagnostics channel) and counts the `write()` calls made on
 * them. It only observes: every call goes through unchanged. TLS sockets are not announced.
 */
export class ClientSocketWatch {
  readonly sockets: Socket[] = []
  readonly #writes = new Map<Socket, number>()
  readonly #onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket
    this.sockets.push(socket)
    this.#writes.set(socket, 0)
    // Node replaces `write` on a connecting socket; wrap what is there once connected (this
    // listener runs before the transport's own, which is added after net.connect returns).
    socket.once('connect', () => {
      const write = socket.write
      socket.write = ((...args: Parameters<Socket['write']>) => {
        this.#writes.set(socket, (this.#writes.get(socket) ?? 0) + 1)
        return write.apply(socket, args)
      }) as Socket['write']
    })
  }

  constructor () {
    subscribe('net.client.socket', this.#onSocket)
  }

  /** `write()` calls on all watched sockets together. */
  get writes (): number {
    let total = 0
    for (const count of this.#writes.values()) total += count
    return total
  }

  dispose (): void {
    unsubscribe('net.client.socket', this.#onSocket)
  }
}
