import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { requestContext, type RequestContext } from '../context'
import type { LogSink } from '../contracts'
import { createLogger, type Logger } from '../logger'
import { CLIENT_CLOSED_REQUEST, isAccessSkipped, logAccess, type AccessLevelFn } from './access'
import { boundSink } from './bound-sink'
import { contentLength } from './content-length'
import { contextFromIncoming } from './incoming'
import { logRequestError } from './request-error'
import { resolveRequestId } from './request-id'
import { defineUser } from './request-user'
import { tapResponse, type ResponseObserver, type ResponseTap } from './response-tap'

/** A tracker's options after defaults and validation (see `RequestTrackerOptions`). */
export interface TrackerSettings<Req, Res> {
  readonly sink: LogSink
  readonly loggerName: string
  readonly accessLog: boolean
  readonly accessLevel: AccessLevelFn
  readonly skip: ((request: Req, reply: Res) => unknown) | undefined
  readonly logErrors: boolean
  readonly user: ((request: Req) => unknown) | undefined
  readonly requestIdHeader: string
  readonly generateRequestId: ((request: Req) => unknown) | undefined
  readonly echoRequestId: boolean
  readonly framework: { readonly name: string, readonly version: string } | undefined
}

/**
 * What only the framework can tell at the start of a request. Every field is optional:
 * what is missing is read from Node's request.
 */
export interface RequestFacts<Req = IncomingMessage, Res = ServerResponse> {
  /** The framework's own request id (Fastify's `request.id`). @default the incoming header, else generated */
  id?: string | undefined
  /** The URL as the client sent it, when `req.url` is shorter (Express's `originalUrl`). @default `req.url` */
  url?: string | undefined
  /** Client address after the framework's trust-proxy decision. @default the socket's address */
  ip?: string | undefined
  /** `http` or `https` after the framework's trust-proxy decision. @default from the socket */
  protocol?: string | undefined
  /** Host (and port) after the framework's trust-proxy decision. @default the Host header */
  host?: string | undefined
  /** The route pattern, when already matched; set `lifecycle.context.route` later otherwise. */
  route?: string | undefined
  /** The framework serving this request, when it can differ between requests. @default the tracker's `framework` */
  framework?: { readonly name: string, readonly version: string } | undefined
  /** The framework's request object, passed to `skip`, `user` and `generateRequestId`. @default `req` */
  request?: Req | undefined
  /** The framework's response object, passed to `skip`. @default `res` */
  reply?: Res | undefined
}

// How an error hook, a logger or a second adapter finds a request's lifecycle: from Node's
// request (or response), or from the request's context. Symbol keys, not WeakMaps: with a
// WeakMap keyed by each request, V8's minor GCs kept every request's objects alive until
// they were promoted, and major GCs ran all the time (measured: +20 us of CPU per request).
const kLifecycle = Symbol('@logstash-async/core.requestLifecycle')
type WithLifecycle = { [kLifecycle]?: RequestLifecycle<unknown, unknown> }

/** The objects of a request in flight; let go of when it ends. */
interface InFlight<Req, Res> {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly request: Req
  readonly reply: Res
}

/**
 * One request, from its first hook to its end: the request context the formatters read,
 * the request's error (recorded once, logged with the status the request ended with) and
 * its access event. It ends once, when the response finishes or, if the client goes away
 * first, when the response closes: status 499 when nothing was sent. Created by
 * `RequestTracker.begin()`.
 */
export class RequestLifecycle<Req = IncomingMessage, Res = ServerResponse> implements ResponseObserver {
  /** What the formatters read: the adapter may add to it (`route` once matched). */
  readonly context: RequestContext
  readonly #settings: TrackerSettings<Req, Res>
  readonly #tap: ResponseTap
  readonly #startTime: number
  // Undefined once the request ended: the response (which keeps its tap, and so this
  // lifecycle) must not hold the framework's request and reply past their time.
  #inFlight: InFlight<Req, Res> | undefined
  #error: { value: unknown } | undefined
  #finished = false
  #ended = false
  #logger: Logger | undefined

  /** The lifecycle of Node's request `req`, if an adapter began one. */
  static of (req: IncomingMessage | undefined): RequestLifecycle<unknown, unknown> | undefined {
    return (req as WithLifecycle | undefined)?.[kLifecycle]
  }

  /** The lifecycle of the request whose context is active, if any. */
  static current (): RequestLifecycle<unknown, unknown> | undefined {
    return (requestContext.get() as WithLifecycle | undefined)?.[kLifecycle]
  }

  /** @internal Use `RequestTracker.begin()`. */
  constructor (req: IncomingMessage, res: ServerResponse, settings: TrackerSettings<Req, Res>, facts: RequestFacts<Req, Res>) {
    const request = facts.request ?? req as Req
    this.#settings = settings
    this.#inFlight = { req, res, request, reply: facts.reply ?? res as Res }
    this.#startTime = performance.now()
    const id = facts.id ?? resolveRequestId(req.headers[settings.requestIdHeader], settings.generateRequestId, request)
    const context = contextFromIncoming(req, {
      id,
      url: facts.url,
      ip: facts.ip,
      protocol: facts.protocol,
      host: facts.host,
      route: facts.route,
      framework: facts.framework ?? settings.framework,
      startTime: this.#startTime
    })
    this.context = context
    if (settings.user !== undefined) defineUser(context, settings.user, request)
    if (settings.echoRequestId && !res.headersSent) res.setHeader(settings.requestIdHeader, id)
    this.#tap = tapResponse(res, this)
    const self = this as RequestLifecycle<unknown, unknown>
    ;(req as WithLifecycle)[kLifecycle] = self
    ;(res as WithLifecycle)[kLifecycle] = self
    // Not enumerable: the context's own keys stay what the formatters read.
    Object.defineProperty(context, kLifecycle, { value: self })
    // 'finish': the response was handed over complete. 'close' alone: the client (or the
    // socket) went away first. 'close' also follows 'finish', and then changes nothing.
    res.on('finish', RequestLifecycle.#onFinish)
    res.on('close', RequestLifecycle.#onClose)
  }

  // Listeners shared by every response, finding the lifecycle on it: a closure per request,
  // kept by the response, would keep the request's objects alive longer (see kLifecycle).
  static #onFinish (this: ServerResponse): void {
    const lifecycle = (this as WithLifecycle)[kLifecycle]
    if (lifecycle === undefined) return
    lifecycle.#finished = true
    lifecycle.end()
  }

  static #onClose (this: ServerResponse): void {
    (this as WithLifecycle)[kLifecycle]?.end()
  }

  /** The request id, as the events carry it. */
  get id (): string { return this.context.id }

  /** True once the request ended and its events were written. */
  get ended (): boolean { return this.#ended }

  /**
   * A logger whose events carry this request's fields wherever it is called, even from code
   * that lost the async context (a pooled connection's callback). Created on first use.
   */
  get logger (): Logger {
    this.#logger ??= createLogger({ handler: boundSink(this.#settings.sink, this.context), name: this.#settings.loggerName })
    return this.#logger
  }

  /** Runs `fn` with the request's context active: for the framework's next step. */
  run<T> (fn: () => T): T {
    return requestContext.get() === this.context ? fn() : requestContext.run(this.context, fn)
  }

  /**
   * Records the error of the request: the first one wins, later ones (the same error seen by
   * a second hook, a logger, a filter) add nothing. It is logged when the request ends, with
   * the status it ended with; an error recorded after the end (a late async failure) is
   * logged at once. Never throws.
   */
  recordError (error: unknown): void {
    if (this.#error !== undefined || !this.#settings.logErrors) return
    this.#error = { value: error }
    if (this.#ended) this.run(() => this.#logError(this.context.statusCode ?? 500))
  }

  /**
   * Ends the request: writes its error event (if one was recorded) and its access event.
   * Called by the response's 'finish' or 'close'; an adapter may call it from its
   * framework's own end-of-response hook (Fastify's `onResponse`), so the events come
   * before what the framework logs there. Idempotent. Never throws.
   */
  end (): void {
    const inFlight = this.#inFlight
    if (this.#ended || inFlight === undefined) return
    this.#ended = true
    this.#inFlight = undefined
    this.#tap.detach()
    try {
      const endTime = performance.now()
      const { res } = inFlight
      // Finished: 'finish' was seen, or the response is ended and its socket still there
      // (a framework hook running on 'finish' before this lifecycle's own listener).
      const aborted = !this.#finished && !(res.writableEnded && !res.destroyed)
      const statusCode = aborted && !res.headersSent ? CLIENT_CLOSED_REQUEST : res.statusCode
      this.context.statusCode = statusCode
      this.run(() => {
        if (this.#error !== undefined) this.#logError(statusCode)
        this.#logAccess(inFlight, statusCode, aborted, endTime)
      })
    } catch {
      // Logging must never break a response.
    }
  }

  /** @internal The response tap's report: the status and headers are final. */
  headersSent (headers: OutgoingHttpHeaders): void {
    if (this.#inFlight !== undefined) this.context.statusCode = this.#inFlight.res.statusCode
    this.context.responseHeaders = headers
  }

  #logError (statusCode: number): void {
    logRequestError(this.#settings.sink, (this.#error as { value: unknown }).value, { statusCode, logger: this.#settings.loggerName })
  }

  #logAccess ({ req, request, reply }: InFlight<Req, Res>, statusCode: number, aborted: boolean, endTime: number): void {
    const { sink, accessLog, accessLevel, loggerName, skip } = this.#settings
    if (!accessLog || isAccessSkipped(skip, request, reply)) return
    // Node sends no body for HEAD requests, 1xx, 204 and 304 responses, whatever was written.
    const noBody = req.method === 'HEAD' || statusCode < 200 || statusCode === 204 || statusCode === 304
    logAccess(sink, this.context, {
      statusCode,
      aborted,
      responseBytes: noBody ? 0 : this.#tap.bodyBytes,
      requestBytes: contentLength(req.headers['content-length']),
      level: accessLevel,
      logger: loggerName,
      endTime
    })
  }
}
