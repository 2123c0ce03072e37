import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { waitFor } from './wait'

/** One request as the server saw it, body decoded (gunzipped when `content-encoding: gzip`). */
export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  /** Bytes on the wire. */
  rawLength: number
  /** The decoded body. */
  body: string
  status: number
  /** Which connection (1-based, in accept order) it came on. */
  connection: number
}

/**
 * A planned answer: a status and an optional body; `'hang'` never answers; `'destroy'` closes
 * the connection unanswered; `'kill'` dies unanswered (stops listening, drops every connection).
 */
export type PlannedResponse = { status: number, body?: string } | 'hang' | 'destroy' | 'kill'

export interface HttpReceiverOptions {
  /** Serve https with these options (key, cert, ca, requestCert...). */
  tls?: HttpsServerOptions
  /** Require these basic auth credentials: anything else gets 401. */
  auth?: { username: string, password: string }
  /** Bodies larger than this (in decoded bytes) get 413, as Logstash's max_content_length does. */
  maxContentLength?: number
}

/**
 * A Logstash http input with the json codec, on loopback: a JSON array body becomes one
 * event per element. Answers 200 "ok" unless auth fails (401), the body is too large (413),
 * is not a JSON array (400), or `plan()` queued another answer for the next requests.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = []
  /** Requests answered 2xx, not split into `payloads` yet: splitting is left for when a test looks. */
  readonly #acceptedBodies: ReceivedRequest[] = []
  readonly #payloads: string[] = []
  connections = 0
  readonly #plan: PlannedResponse[] = []
  readonly #options: HttpReceiverOptions
  readonly #sockets = new Set<Socket>()
  readonly #hanging = new Set<ServerResponse>()
  #server: Server | undefined
  #port = 0

  private constructor (options: HttpReceiverOptions) {
    this.#options = options
  }

  static async start (options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
    const receiver = new HttpReceiver(options)
    await receiver.listen(0)
    return receiver
  }

  get port (): number { return this.#port }
  get host (): string { return '127.0.0.1' }

  /** The elements of every accepted (2xx) body, in order, as raw JSON text. */
  get payloads (): string[] {
    for (const request of this.#acceptedBodies.splice(0)) this.#payloads.push(...splitArray(request.body))
    return this.#payloads
  }

  /** The accepted events, parsed. */
  get events (): Record<string, unknown>[] {
    return this.payloads.map((p) => JSON.parse(p) as Record<string, unknown>)
  }

  /** The answer to requests after the planned ones, when set (auth and size checks come first). */
  otherwise: PlannedResponse | undefined

  /** Answers for the next requests, in order (auth and size checks come first). */
  plan (...responses: PlannedResponse[]): void {
    this.#plan.push(...responses)
  }

  async listen (port = this.#port): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => { this.#handle(req, res) }
    const server = this.#options.tls === undefined ? createHttpServer(handler) : createHttpsServer(this.#options.tls, handler)
    server.on('connection', (socket: Socket) => {
      this.connections++
      ;(socket as Socket & { connectionNumber?: number }).connectionNumber = this.connections
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
    server.on('tlsClientError', () => {})
    server.on('clientError', (_err, socket) => socket.destroy())
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, this.host, () => { server.off('error', reject); resolve() })
    })
    this.#server = server
    this.#port = (server.address() as AddressInfo).port
  }

  /** Stops listening and drops every connection, as a crashed Logstash would. */
  async kill (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const res of this.#hanging) res.destroy()
    this.#hanging.clear()
    for (const socket of this.#sockets) socket.destroy()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  close (): Promise<void> {
    return this.kill()
  }

  async waitForEvents (count: number, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
    await waitFor(() => this.payloads.length >= count, { timeoutMs, message: () => `${count} events (got ${this.payloads.length})` })
    return this.events
  }

  // The body is decoded to a string only when a test reads it: decoding (and parsing) every
  // body as it arrives made this receiver, not the sender, what limits a burst on a slow
  // machine. Only what Logstash must know to answer is looked at now: the size, and the
  // array's brackets; an invalid body fails the test that reads it.
  #handle (req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      // Plain bodies stay in the chunks they came in (a fresh 600 KB buffer per request is a
      // page fault per 4 KiB); gzip bodies are inflated whole.
      let decoded: Buffer[] | undefined = chunks
      if (req.headers['content-encoding'] === 'gzip') {
        try {
          decoded = [gunzipSync(Buffer.concat(chunks))]
        } catch {
          decoded = undefined
        }
      }
      const connection = (req.socket as Socket & { connectionNumber?: number }).connectionNumber ?? 0
      const answer = this.#answer(req, decoded)
      let body: string | undefined
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawLength: byteLength(chunks),
        get body (): string { return (body ??= decoded === undefined ? '<not gzip>' : Buffer.concat(decoded).toString('utf8')) },
        status: typeof answer === 'string' ? 0 : answer.status,
        connection
      }
      this.requests.push(request)
      if (answer === 'hang') { this.#hanging.add(res); return }
      if (answer === 'destroy') { req.socket.destroy(); return }
      if (answer === 'kill') { void this.kill(); return }
      if (answer.status >= 200 && answer.status < 300) this.#acceptedBodies.push(request)
      res.writeHead(answer.status, { 'content-type': 'text/plain' })
      res.end(answer.body ?? (answer.status === 200 ? 'ok' : ''))
    })
  }

  #answer (req: IncomingMessage, body: Buffer[] | undefined): PlannedResponse {
    const { auth, maxContentLength } = this.#options
    if (auth !== undefined) {
      const expected = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64')
      if (req.headers.authorization !== expected) return { status: 401, body: 'Unauthorized: bad credentials' }
    }
    if (maxContentLength !== undefined && body !== undefined && byteLength(body) > maxContentLength) return { status: 413, body: 'Payload Too Large' }
    const planned = this.#plan.shift() ?? this.otherwise
    if (planned !== undefined) return planned
    if (body === undefined) return { status: 400, body: 'invalid JSON' }
    if (!isBracketed(body)) return { status: 400, body: 'expected a JSON array' }
    return { status: 200 }
  }
}

function byteLength (chunks: readonly Buffer[]): number {
  let bytes = 0
  for (const chunk of chunks) bytes += chunk.length
  return bytes
}

/** Whether the body in `chunks`, JSON whitespace aside, starts with `[` and ends with `]`. */
function isBracketed (chunks: readonly Buffer[]): boolean {
  return edgeByte(chunks, false) === 0x5b && edgeByte(chunks, true) === 0x5d
}

/** The first (or last) byte of the body in `chunks` that is not JSON whitespace. */
function edgeByte (chunks: readonly Buffer[], fromEnd: boolean): number | undefined {
  for (const chunk of fromEnd ? [...chunks].reverse() : chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[fromEnd ? chunk.length - 1 - i : i] as number
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte
    }
  }
  return undefined
}

/** The elements of a JSON array, each as its own JSON text. */
function splitArray (body: string): string[] {
  return (JSON.parse(body) as unknown[]).map((element) => JSON.stringify(element))
}
