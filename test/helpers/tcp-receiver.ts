import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, TLSSocket, type TlsOptions } from 'node:tls'
import { waitFor } from './wait'

export interface TcpReceiverOptions {
  /** Serve TLS with these options (key, cert, ca, requestCert...). */
  tls?: TlsOptions
  /** Listen on this port (to restart a receiver where it was). @default 0 */
  port?: number
  host?: string
  /**
   * Parse lines only when `events` or `invalid` are read, not as they arrive: for a burst,
   * where parsing in the read path would make this receiver what limits the sender. Without
   * it, `events` fills as lines arrive (a test may hold the array and poll it).
   * @default false
   */
  parseOnRead?: boolean
}

/** What a TLS receiver learnt about one client connection. */
export interface TlsPeer {
  /** The SNI the client sent, or `false` when it sent none. */
  servername: string | false
  /** Whether the client presented a certificate the receiver's CA signed. */
  authorized: boolean
  /** The common name of the client certificate, if one was presented. */
  clientCommonName: string | undefined
}

/**
 * A Logstash tcp input with the json_lines codec, on loopback: collects every line it
 * receives, parsed as JSON. Lines that are not valid JSON are kept in `invalid` so a test
 * can assert there are none. `clear()` forgets what was received.
 */
export class TcpReceiver {
  readonly lines: string[] = []
  readonly #events: Record<string, unknown>[] = []
  readonly #invalid: string[] = []
  /** How many of `lines` were parsed into `events` or `invalid`. */
  #parsed = 0
  /** For each line of `lines`, the connection (1-based, in accept order) it came on. */
  readonly lineConnections: number[] = []
  readonly sockets = new Set<Socket>()
  /** One entry per TLS connection, in the order they were accepted. */
  readonly tlsPeers: TlsPeer[] = []
  connections = 0
  #paused = false
  #killWhen: { condition: () => boolean, resolve: () => void } | undefined
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

  /** Every line received, parsed, in order (lines that are not JSON are in `invalid`). */
  get events (): Record<string, unknown>[] {
    this.#parse()
    return this.#events
  }

  /** The lines received that are not valid JSON. */
  get invalid (): string[] {
    this.#parse()
    return this.#invalid
  }

  /** Forgets every line received so far. */
  clear (): void {
    this.lines.length = 0
    this.lineConnections.length = 0
    this.#events.length = 0
    this.#invalid.length = 0
    this.#parsed = 0
  }

  #parse (): void {
    const lines = this.lines
    for (; this.#parsed < lines.length; this.#parsed++) {
      const line = lines[this.#parsed] as string
      try {
        this.#events.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        this.#invalid.push(line)
      }
    }
  }

  get port (): number { return this.#port }
  get host (): string { return this.#options.host ?? '127.0.0.1' }
  get listening (): boolean { return this.#server?.listening ?? false }

  /** (Re)starts listening; with a port, on that port. */
  async listen (port = this.#port): Promise<void> {
    const onConnection = (socket: Socket): void => {
      const connection = ++this.connections
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
      socket.on('error', () => {})
      if (socket instanceof TLSSocket) this.tlsPeers.push(tlsPeer(socket))
      if (this.#paused) socket.pause()
      let buffered = ''
      socket.setEncoding('utf8')
      // Only the new chunk is searched for newlines, so a line of many megabytes stays linear.
      socket.on('data', (chunk: string) => {
        let start = 0
        let newline: number
        while ((newline = chunk.indexOf('\n', start)) >= 0) {
          this.#line(buffered + chunk.slice(start, newline), connection)
          buffered = ''
          start = newline + 1
        }
        buffered += chunk.slice(start)
        this.#checkKillCondition()
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

  /**
   * Kills the receiver from inside its read path, right after the chunk that made
   * `condition()` true was parsed: a Logstash that crashes right after reading. Resolves
   * once it is down.
   */
  killWhen (condition: () => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#killWhen = { condition, resolve }
    })
  }

  /** Drops every connection but keeps listening, as a server closing idle clients would. */
  dropConnections (): void {
    for (const socket of this.sockets) socket.destroy()
  }

  /**
   * Stops reading from every connection, present and future: the kernel buffers fill up
   * and the sender sees backpressure.
   */
  pauseReading (): void {
    this.#paused = true
    for (const socket of this.sockets) socket.pause()
  }

  /** Reads again after `pauseReading()`. */
  resumeReading (): void {
    this.#paused = false
    for (const socket of this.sockets) socket.resume()
  }

  /** Waits until at least `count` events arrived. */
  async waitForEvents (count: number, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
    await waitFor(() => this.events.length >= count, { timeoutMs, message: () => `${count} events (got ${this.events.length})` })
    return this.events
  }

  #checkKillCondition (): void {
    const killWhen = this.#killWhen
    if (killWhen === undefined || !killWhen.condition()) return
    this.#killWhen = undefined
    void this.kill().then(killWhen.resolve)
  }

  #line (line: string, connection: number): void {
    if (line.length === 0) return
    this.lines.push(line)
    this.lineConnections.push(connection)
    if (this.#options.parseOnRead !== true) this.#parse()
  }
}

function tlsPeer (socket: TLSSocket): TlsPeer {
  const cert = socket.getPeerCertificate()
  const commonName = cert?.subject?.CN
  return {
    servername: socket.servername ?? false,
    authorized: socket.authorized,
    clientCommonName: Array.isArray(commonName) ? commonName[0] : commonName
  }
}
