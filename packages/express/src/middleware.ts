import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import type { Logger, LogSink } from '@logstash-async/core'
import { RequestLifecycle, type RequestFacts } from '@logstash-async/core/adapter'
import { splitHost } from '@logstash-async/core/internal'
import { bindEmitter } from './bind-emitter'
import { expressFramework } from './express-version'
import { resolveSettings, type LogstashMiddlewareOptions } from './options'
import { defineRequestLogger } from './request-logger'
import { trackRoute } from './route'

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
  const { tracker, owned } = resolveSettings(options)
  function logstashMiddleware (req: Request, res: Response, next: NextFunction): void {
    // Mounted twice (app and router): the first one owns the request.
    if (RequestLifecycle.of(req) !== undefined) { next(); return }
    const lifecycle = tracker.begin(req, res, facts(req))
    // Logging must never cost the application a request.
    if (lifecycle === undefined) { next(); return }
    try {
      trackRoute(req)
      bindEmitter(req, lifecycle.context)
      bindEmitter(res, lifecycle.context)
      req.requestId = lifecycle.id
      defineRequestLogger(req)
    } catch { /* the request goes on with what was set */ }
    lifecycle.run(next)
  }
  Object.defineProperties(logstashMiddleware, {
    handler: { value: tracker.settings.sink, enumerable: true },
    close: { value: async () => { await owned?.close() }, enumerable: true }
  })
  return logstashMiddleware as LogstashMiddleware
}

// Express's trust-proxy answers, and the URL as sent: mounted under a path, `req.url` lacks it.
function facts (req: ExpressRequest): RequestFacts {
  return {
    url: safely(() => req.originalUrl),
    ip: safely(() => req.ip),
    protocol: safely(() => req.protocol),
    host: safely(() => hostWithPort(req)),
    framework: expressFramework(req)
  }
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
