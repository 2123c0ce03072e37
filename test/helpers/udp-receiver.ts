import { createSocket, type Socket } from 'node:dgram'
import type { AddressInfo } from 'node:net'
import { waitFor } from './wait'

/** A Logstash udp input with the json codec, on loopback: one event per datagram. */
export class UdpReceiver {
  readonly events: Record<string, unknown>[] = []
  readonly datagrams: Buffer[] = []
  readonly invalid: string[] = []
  readonly #socket: Socket

  private constructor (socket: Socket) {
    this.#socket = socket
    socket.on('message', (message) => {
      this.datagrams.push(message)
      const text = message.toString('utf8')
      try {
        this.events.push(JSON.parse(text) as Record<string, unknown>)
      } catch {
        this.invalid.push(text)
      }
    })
  }

  static async start ({ host = '127.0.0.1', type = 'udp4' as 'udp4' | 'udp6' } = {}): Promise<UdpReceiver> {
    const socket = createSocket({ type, recvBufferSize: 8 * 1024 * 1024 })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, host, () => { socket.off('error', reject); resolve() })
    })
    return new UdpReceiver(socket)
  }

  get port (): number { return (this.#socket.address() as AddressInfo).port }

  async waitForEvents (count: number, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
    await waitFor(() => this.events.length >= count, { timeoutMs, message: () => `${count} datagrams (got ${this.events.length})` })
    return this.events
  }

  close (): Promise<void> {
    return new Promise<void>((resolve) => this.#socket.close(() => resolve()))
  }
}
