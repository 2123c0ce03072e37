import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import {
  contextFromIncoming, isWellFormedRequestId, requestContext, splitHost, type Logger, type LogSink, type RequestContext
} from '@logstash-async/core'
import { logAccessOnEnd } from './access'
import { bindEmitter } from './bind-emitter'
import { expressFramework } from './express-version'
import { resolveSettings, type LogstashMiddlewareOptions, type MiddlewareSettings } from './options'
import { defineRequestLogger } from './request-logger'
import { getRequestState, setRequestState } from './request-state'
import { trackRoute } from './route'
import { resolveUser } from './user'

declare global {
  // Express's own extension point, the interface @types/express-serve-static-core declares.
  namespace Express {
    interface Request {
      /**
       * A logger whose events carry this request's fields, even from callbacks that lost
       * the async context. Set by `logstashMiddleware()`.
       */
      log: Logger
      /** This request's id: the incoming `x-request-id` when well formed, else a new one. Set by `logstashMiddleware()`. */
      requestId: string
    }
  }
}

/** The middleware `logstashMiddleware()` returns: an Express handler with its handler attached. */
export interface LogstashMiddleware {
  (req: Request, res: Response, next: NextFunction): void
  /** Where this middleware's events go. */
  readonly handler: LogSink
  /**
   * Closes the handler if the middleware created it (from handler options): delivers what
   * waits, then stops. Does nothing for a handler you passed or the default handler: those
   * are yours, or the process's, to close.
   */
  close (): Promise<void>
}

interface ExpressRequest extends IncomingMessage {
  originalUrl?: string
  ip?: string
  protocol?: string
  hostname?: string
  requestId?: string
}

/**
 * The Express middleware: enters the request context for everything after it (body
 * parsers, routes, async handlers, timers), sets `req.log` and `req.requestId`, echoes the
 * request id, and logs one access event per request. Mount it first.
 */
export function logstashMiddleware<Req extends IncomingMessage = Request, Res extends ServerResponse = Response> (
  options: LogstashMiddlewareOptions<Req, Res> = {}
): LogstashMiddleware {
  const settings = resolveSettings(options)
  function logstashMiddleware (req: Request, res: Response, next: NextFunction): void {
    // Mounted twice (app and router): the first one owns the request.
    if (getRequestState(req) !== undefined) { next(); return }
    let context: RequestContext
    try {
      context = startRequest(req, res, settings)
    } catch {
      // Logging must never cost the application a request.
      next()
      return
    }
    requestContext.run(context, next)
  }
  Object.defineProperties(logstashMiddleware, {
    handler: { value: settings.sink, enumerable: true },
    close: { value: async () => { await settings.owned?.close() }, enumerable: true }
  })
  return logstashMiddleware as LogstashMiddleware
}

function startRequest (req: ExpressRequest, res: ServerResponse, settings: MiddlewareSettings): RequestContext {
  const id = requestId(req, settings)
  const context = contextFromIncoming(req, {
    id,
    ip: safely(() => req.ip),
    protocol: safely(() => req.protocol),
    host: safely(() => hostWithPort(req)),
    framework: expressFramework(req)
  })
  // Mounted under a path, `req.url` lacks the mount path; the access event wants the URL as sent.
  const url = req.originalUrl
  if (typeof url === 'string' && url !== context.url) {
    context.url = url
    const query = url.indexOf('?')
    context.path = query === -1 ? url : url.slice(0, query)
  }
  if (settings.user !== undefined) defineUser(context, req, settings.user)
  trackRoute(req, context)
  bindEmitter(req, context)
  bindEmitter(res, context)
  setRequestState(req, { context, settings })
  req.requestId = id
  defineRequestLogger(req, settings.sink, context, settings.loggerName)
  if (settings.echoRequestId && !res.headersSent) res.setHeader(settings.requestIdHeader, id)
  if (settings.accessLog) logAccessOnEnd(req, res, context, settings)
  return context
}

function requestId (req: IncomingMessage, settings: MiddlewareSettings): string {
  const incoming = req.headers[settings.requestIdHeader]
  if (isWellFormedRequestId(incoming)) return incoming
  if (settings.generateRequestId !== undefined) {
    const generated = safely(() => settings.generateRequestId?.(req))
    if (typeof generated === 'string' && generated !== '') return generated
  }
  return randomUUID()
}

// The user is asked at each event, not once: authentication usually runs after this middleware.
function defineUser (context: RequestContext, req: IncomingMessage, resolve: (req: IncomingMessage) => unknown): void {
  let assigned: string | undefined
  Object.defineProperty(context, 'user', {
    configurable: true,
    enumerable: true,
    get: () => assigned ?? resolveUser(resolve, req),
    set: (value: string | undefined) => { assigned = value }
  })
}

/**
 * Express's host name (which honours "trust proxy" and X-Forwarded-Host) with the Host
 * header's port when both name the same host, so `req_uri` keeps a non-default port.
 * `req.host` would do this in Express 5 but is a deprecated alias of `hostname` in 4.
 */
function hostWithPort (req: ExpressRequest): string | undefined {
  const hostname = req.hostname
  if (typeof hostname !== 'string' || hostname === '') return undefined
  const raw = req.headers.host
  if (raw !== undefined && splitHost(raw).host === hostname.replace(/^\[|\]$/g, '')) return raw
  return hostname
}

function safely<T> (fn: () => T): T | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}
