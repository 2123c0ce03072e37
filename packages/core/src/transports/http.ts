import type * as Http from 'node:http'
import type * as Https from 'node:https'
import { promisify } from 'node:util'
import type * as Zlib from 'node:zlib'
import { DroppedEventsError, TransportError, type LogstashError } from '../errors'
import type { ResolvedTlsOptions } from '../options'
import { VERSION } from '../version'
import { lazyBuiltin } from '../lazy-builtin'
import { ScratchBuffer } from './scratch-buffer'
import { encodeJsonArray, jsonArrayBound, jsonArrayByteLength, jsonArrayRanges } from './json-array'
import { bytesSource, stringSource, type EventSource } from './event-source'
import { describeSocketError, tlsConnectOptions } from './socket-options'
import { closedError } from './socket-slot'
import { connectSocket, tlsHint } from './connect'
import type { PooledTransport } from './connection'
import { formatHostAddress } from '../host-address'
import type { EventBytes, SendOutcome } from '../contracts'

// Loaded when an HTTP transport is created, not with the package: see lazy-builtin.ts.
const http = lazyBuiltin<typeof Http>('node:http')
const https = lazyBuiltin<typeof Https>('node:https')
const zlib = lazyBuiltin<typeof Zlib>('node:zlib')
let gzipAsync: ((data: Buffer) => Promise<Buffer>) | undefined

/** How much of an error response's body goes into the report. */
const BODY_EXCERPT_BYTES = 512

/** Options of `HttpTransport`, resolved: the handler fills them from its options and `http`. */
export interface HttpTransportOptions {
  /** Logstash host name, IPv4 or IPv6 address. */
  host: string
  /** Port of the http input (Logstash's default: 8080). */
  port: number
  /** TLS options (https); `undefined` for plain http. */
  tls: ResolvedTlsOptions | undefined
  /** Longest time for one request, from connecting to the end of the response. */
  timeoutMs: number
  /** Requests under way at once, each on a keep-alive connection of its own. */
  pipelining: number
  /** Request path. */
  path: string
  /** Basic auth user, with `password`. */
  username?: string | undefined
  /** Basic auth password. */
  password?: string | undefined
  /** Extra request headers; they may replace `content-type` and `user-agent`. */
  headers: Readonly<Record<string, string>>
  /** Gzip request bodies. */
  gzip: boolean
  /** Largest JSON body in bytes (before gzip); bigger batches go out as several requests. */
  maxContentLength: number
}

/** A complete response; `written`: the request's body had been fully handed to the socket. */
interface Response { status: number, body: string, written: boolean }

/** How far a send got: its first `done` events are settled, `dropped` of them refused. */
interface Progress { done: number, dropped: number, error: LogstashError | undefined }

/**
 * POSTs each batch as one JSON array (what Logstash's `http` input with the json codec
 * splits into events) over keep-alive connections, up to `pipelining` requests at once.
 * Delivered means a 2xx. 408, 429, 5xx, network errors and timeouts are retryable; 413
 * splits the batch in halves and sends each, and a single event still too large is dropped
 * and reported; any other 4xx refuses the batch for good (non-retryable), with the status
 * and the start of the response body. A batch sent as several requests that fails part way
 * says which events were delivered (`TransportError.settled`): they are not sent again.
 */
export class HttpTransport implements PooledTransport {
  readonly maxConcurrentSends: number
  readonly #host: string
  readonly #port: number
  readonly #tls: ResolvedTlsOptions | undefined
  readonly #path: string
  readonly #timeoutMs: number
  readonly #gzip: boolean
  readonly #maxContentLength: number
  readonly #headers: Readonly<Record<string, string>>
  readonly #agent: Http.Agent
  readonly #request: typeof Http.request
  readonly #url: string
  readonly #requests = new Set<{ req: Http.ClientRequest, abort: (err: TransportError) => void }>()
  /** What request bodies are encoded into, kept between sends (see ScratchBuffer). */
  readonly #scratch: ScratchBuffer
  #closed = false

  constructor (options: HttpTransportOptions) {
    this.#host = options.host
    this.#port = options.port
    this.#tls = options.tls
    this.#path = options.path
    this.#timeoutMs = options.timeoutMs
    this.#gzip = options.gzip
    this.#maxContentLength = options.maxContentLength
    this.maxConcurrentSends = options.pipelining
    this.#scratch = new ScratchBuffer(options.pipelining)
    this.#headers = buildHeaders(options)
    const tls = options.tls
    const agentOptions = { keepAlive: true, maxSockets: options.pipelining }
    if (tls === undefined) {
      this.#agent = new (http().Agent)(agentOptions)
      this.#request = http().request
    } else {
      // The agent carries the TLS options, so every connection it opens verifies alike.
      const { host: _host, port: _port, ...connectOptions } = tlsConnectOptions(options.host, options.port, tls)
      this.#agent = new (https().Agent)({ ...agentOptions, ...connectOptions })
      this.#request = https().request
    }
    this.#url = `${tls === undefined ? 'http' : 'https'}://${formatHostAddress(this.#host, this.#port)}${this.#path}`
  }

  /** Requests whose body the kernel has not taken in full. */
  get pendingWrites (): number {
    let n = 0
    for (const { req } of this.#requests) if (!req.writableFinished) n++
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
    const progress: Progress = { done: 0, dropped: 0, error: undefined }
    try {
      for (const [start, end] of jsonArrayRanges(events, 0, this.#maxContentLength)) {
        await this.#deliver(events, start, end, progress)
      }
    } catch (err) {
      const error = err instanceof TransportError ? err : new TransportError(`POST ${this.#url} failed: ${describeSocketError(err)}`, { retryable: true, cause: err })
      if (error.retryable) {
        // The requests accepted before are not sent again.
        throw progress.done === 0 ? error : error.withSettled({ count: progress.done, dropped: progress.dropped, error: progress.error })
      }
      // Refused for good: the rest of the batch. What went before was delivered.
      if (progress.done === 0) throw error
      const refused = events.length - progress.done
      return {
        dropped: progress.dropped + refused,
        error: new DroppedEventsError(`${refused} events refused by the receiver and dropped: ${error.message}`, progress.dropped + refused, { code: 'LOGSTASH_REFUSED', cause: error })
      }
    }
    if (progress.dropped > 0) return { dropped: progress.dropped, ...(progress.error === undefined ? {} : { error: progress.error }) }
  }

  /** Opens (and closes) a connection to the server: proof it listens, without a request. */
  async connect (): Promise<void> {
    const socket = await connectSocket({
      host: this.#host,
      port: this.#port,
      tls: this.#tls,
      timeoutMs: this.#timeoutMs,
      address: this.#url,
      prepare: (s) => { s.on('data', () => {}) }
    })
    socket.destroy()
  }

  abort (error: TransportError): void {
    for (const { abort } of this.#requests) abort(error)
  }

  /** Aborts the requests under way (their sends reject) and closes every connection at once. */
  async close (): Promise<void> {
    this.#closed = true
    for (const { abort } of this.#requests) abort(closedError())
    this.#agent.destroy()
  }

  /** Sends events[start, end); on 413, each half on its own, down to single events. */
  async #deliver (events: EventSource, start: number, end: number, progress: Progress): Promise<void> {
    const response = await this.#post(events, start, end)
    const { status } = response
    if (status >= 200 && status < 300) { progress.done = end; return }
    if (status === 413) {
      if (end - start > 1) {
        const middle = start + Math.floor((end - start) / 2)
        await this.#deliver(events, start, middle, progress)
        await this.#deliver(events, middle, end, progress)
        return
      }
      progress.done = end
      progress.dropped++
      progress.error = new DroppedEventsError(`${progress.dropped} event(s) too large for ${this.#url} (HTTP 413, this one ${events.byteLength(start)} bytes) dropped${excerpt(response.body)}`,
        progress.dropped, { code: 'LOGSTASH_TOO_LARGE' })
      return
    }
    const retryable = status === 408 || status === 429 || status < 200 || (status >= 300 && status < 400) || status >= 500
    throw new TransportError(`POST ${this.#url}: HTTP ${status}${excerpt(response.body)}`, { retryable, code: `LOGSTASH_HTTP_${status}` })
  }

  async #post (events: EventSource, start: number, end: number): Promise<Response> {
    const json = encodeJsonArray(events, start, end,
      this.#scratch.take(jsonArrayBound(events, start, end)) ?? Buffer.allocUnsafeSlow(jsonArrayByteLength(events, start, end)))
    if (this.#gzip) {
      let body: Buffer
      try {
        gzipAsync ??= promisify(zlib().gzip) as (data: Buffer) => Promise<Buffer>
        body = await gzipAsync(json)
      } finally {
        // zlib has read the input once its callback ran, whatever the outcome.
        this.#scratch.release(json, true)
      }
      return await this.#postBody(body)
    }
    let written = false
    try {
      const response = await this.#postBody(json)
      written = response.written
      return response
    } finally {
      // Bytes a request may still be writing (it failed, or the server answered before
      // reading the whole body) are never overwritten.
      this.#scratch.release(json, written)
    }
  }

  async #postBody (body: Buffer): Promise<Response> {
    if (this.#closed) throw closedError()
    try {
      return await this.#request1(body)
    } catch (err) {
      // A kept-alive connection the server closed while idle fails at once on reuse; a
      // fresh connection is what any HTTP client does next, and is not a delivery retry.
      if (!(err instanceof StaleSocketError)) throw err
      return await this.#request1(body)
    }
  }

  #request1 (body: Buffer): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const req = this.#request({
        agent: this.#agent,
        hostname: this.#host,
        port: this.#port,
        path: this.#path,
        method: 'POST',
        headers: { ...this.#headers, 'content-length': String(body.length) }
      })
      let responded = false
      let connected = false
      const entry = {
        req,
        abort: (err: TransportError): void => {
          if (!this.#requests.delete(entry)) return
          clearTimeout(timer)
          req.destroy()
          reject(err)
        }
      }
      const done = (response: Response): void => {
        if (!this.#requests.delete(entry)) return
        clearTimeout(timer)
        resolve(response)
      }
      const fail = (err: Error): void => {
        if (!responded && req.reusedSocket && isResetCode((err as NodeJS.ErrnoException).code)) {
          entry.abort(new StaleSocketError(err))
          return
        }
        const code = (err as NodeJS.ErrnoException).code
        const hint = tlsHint(code)
        entry.abort(new TransportError(`POST ${this.#url} failed: ${describeSocketError(err)}${hint}`, { retryable: true, connectFailed: !connected, cause: err }))
      }
      const timer = setTimeout(() => {
        entry.abort(new TransportError(connected
          ? `POST ${this.#url}: no complete response within ${this.#timeoutMs} ms`
          : `connect to ${this.#url} timed out after ${this.#timeoutMs} ms`, { retryable: true, connectFailed: !connected, code: 'LOGSTASH_TIMEOUT' }))
      }, this.#timeoutMs)
      timer.unref()
      this.#requests.add(entry)
      req.on('error', fail)
      // A request under way does not hold the process either: close() and the exit flush
      // keep it alive while they wait, and bound the wait.
      req.on('socket', (socket) => {
        socket.unref()
        if (socket.connecting) socket.once('connect', () => { connected = true })
        else connected = true
      })
      req.on('response', (res) => {
        responded = true
        const kept: Buffer[] = []
        let keptBytes = 0
        // The whole body is read, so the connection can serve the next request.
        res.on('data', (chunk: Buffer) => {
          if (keptBytes < BODY_EXCERPT_BYTES) { kept.push(chunk); keptBytes += chunk.length }
        })
        res.on('end', () => done({
          status: res.statusCode ?? 0,
          body: Buffer.concat(kept).subarray(0, BODY_EXCERPT_BYTES).toString('utf8'),
          written: req.writableFinished
        }))
        res.on('error', fail)
        res.on('close', () => { if (!res.complete) fail(new Error('connection closed during the response')) })
      })
      req.end(body)
    })
  }
}

/** A failure of a reused keep-alive connection before any response: worth one fresh connection. */
class StaleSocketError extends TransportError {
  constructor (cause: Error) {
    super(`kept-alive connection was closed by the server: ${describeSocketError(cause)}`, { retryable: true, cause })
  }
}

function isResetCode (code: string | undefined): boolean {
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED'
}

function buildHeaders (options: HttpTransportOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `logstash-async/${VERSION} node/${process.version}`
  }
  // Names and values were checked by the options (resolveHttp).
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value
  if (options.username !== undefined) {
    headers.authorization = 'Basic ' + Buffer.from(`${options.username}:${options.password ?? ''}`, 'utf8').toString('base64')
  }
  if (options.gzip) headers['content-encoding'] = 'gzip'
  return headers
}

function excerpt (body: string): string {
  const text = body.replace(/\s+/g, ' ').trim()
  return text.length === 0 ? '' : `: ${text.length > 200 ? text.slice(0, 200) + '...' : text}`
}
