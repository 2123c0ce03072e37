import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import { waitFor } from './wait'

export interface TcpReceiverOptions {
  /** Serve TLS with these options (key, cert, ca, requestCert...). */
  tls?: TlsOptions
  /** Listen on this port (to restart a receiver where it was). @default 0 */
  port?: number
  host?: string
}

/**
 * A Logstash tcp input with the json_lines codec, on loopback: collects every line it
 * receives, parsed as JSON. Lines that are not valid JSON are kept in `invalid` so a test
 * can assert there are none.
 */
export class TcpReceiver {
  readonly events: Record<string, unknown>[] = []
  readonly lines: string[] = []
  readonly invalid: string[] = []
  readonly sockets = new Set<Socket>()
  connections = 0
  #server: Server | undefined
  #port = 0
  readonly #options: TcpReceiverOptions

  private constructor (options: TcpReceiverOptions) {
    this.#options = options
  }

  static async start (options: TcpReceiverOptions = {}): Promise<TcpReceiver> {
    const receiver = new TcpReceiver(options)
    await receiver.listen(options.port ?? 0)
    return receiver
  }

  get port (): number { return this.#port }
  get host (): string { return this.#options.host ?? '127.0.0.1' }
  get listening (): boolean { return this.#server?.listening ?? false }

  /** (Re)starts listening; with a port, on that port. */
  async listen (port = this.#port): Promise<void> {
    const onConnection = (socket: Socket): void => {
      this.connections++
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
      socket.on('error', () => {})
      let buffered = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        buffered += chunk
        let newline: number
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline)
          buffered = buffered.slice(newline + 1)
          this.#line(line)
        }
      })
    }
    const server = this.#options.tls === undefined
      ? createNetServer(onConnection)
      : createTlsServer(this.#options.tls, onConnection)
    server.on('tlsClientError', () => {})
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, this.host, () => { server.off('error', reject); resolve() })
    })
    this.#server = server
    this.#port = (server.address() as AddressInfo).port
  }

  /** Stops listening and drops every connection at once, as a crashed Logstash would. */
  async kill (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const socket of this.sockets) socket.destroy()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /**
   * Stops listening and half-closes every connection, still reading what clients send
   * until they close: a Logstash that restarts cleanly, losing nothing it was sent.
   */
  async stop (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const socket of this.sockets) socket.end()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  close (): Promise<void> {
    return this.kill()
  }

  /** Waits until at least `count` events arrived. */
  async waitForEvents (count: number, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
    await waitFor(() => this.events.length >= count, { timeoutMs, message: () => `${count} events (got ${this.events.length})` })
    return this.events
  }

  #line (line: string): void {
    if (line.length === 0) return
    this.lines.push(line)
    try {
      this.events.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      this.invalid.push(line)
    }
  }
}
