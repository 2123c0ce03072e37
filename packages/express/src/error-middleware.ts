import type { ServerResponse } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import { defaultHandler } from '@logstash-async/core'
import { logRequestError, RequestLifecycle } from '@logstash-async/core/adapter'

/** The error middleware `logstashErrorMiddleware()` returns. */
export type LogstashErrorMiddleware = (err: unknown, req: Request, res: Response, next: NextFunction) => void

/**
 * An Express error middleware that logs the error once, with its type, message, stack and
 * cause, at the status the request ends with (the one your error handlers or Express's own
 * final handler send), then passes it on to your error handlers. Mount it after your routes
 * and before your own error handlers. Events go to the handler of `logstashMiddleware()`;
 * without that middleware, to the default handler at once, at the status Express would send.
 */
export function logstashErrorMiddleware (): LogstashErrorMiddleware {
  return function logstashErrorMiddleware (err: unknown, req: Request, res: Response, next: NextFunction): void {
    try {
      const lifecycle = RequestLifecycle.of(req)
      if (lifecycle !== undefined) lifecycle.recordError(err)
      else logWithoutLifecycle(err, req, res)
    } catch {
      // Never turn one error into two: the application's error handlers still run.
    }
    next(err)
  }
}

// The error middleware runs once per error handler chain it is mounted in: log once per request.
const loggedWithoutLifecycle = new WeakSet<object>()

function logWithoutLifecycle (err: unknown, req: Request, res: Response): void {
  if (loggedWithoutLifecycle.has(req)) return
  loggedWithoutLifecycle.add(req)
  logRequestError(defaultHandler(), err, { statusCode: errorStatus(err, res), logger: 'express' })
}

/** The status Express's final handler (finalhandler) would send for `err`. */
export function errorStatus (err: unknown, res: ServerResponse): number {
  if (res.headersSent) return res.statusCode
  const own = errorStatusCode(err)
  if (own !== undefined) return own
  return res.statusCode >= 400 && res.statusCode <= 599 ? res.statusCode : 500
}

function errorStatusCode (err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  try {
    for (const value of [(err as { status?: unknown }).status, (err as { statusCode?: unknown }).statusCode]) {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599) return value
    }
  } catch { /* a throwing getter */ }
  return undefined
}
