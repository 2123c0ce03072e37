import type { ServerResponse } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import { defaultHandler, logRequestError, requestContext } from '@logstash-async/core'
import { getRequestState } from './request-state'

/** The error middleware `logstashErrorMiddleware()` returns. */
export type LogstashErrorMiddleware = (err: unknown, req: Request, res: Response, next: NextFunction) => void

/**
 * An Express error middleware that logs the error once, with its type, message, stack and
 * cause, at the status it results in (`err.status` or `err.statusCode` when 4xx/5xx, else
 * the response's 4xx/5xx status, else 500: Express's own rule), then passes it on to your
 * error handlers. Mount it after your routes and before your own error handlers. Events go
 * to the handler of `logstashMiddleware()` (the default handler when that did not run).
 */
export function logstashErrorMiddleware (): LogstashErrorMiddleware {
  return function logstashErrorMiddleware (err: unknown, req: Request, res: Response, next: NextFunction): void {
    try {
      const state = getRequestState(req)
      const context = state?.context ?? requestContext.get()
      const sink = state?.settings.sink ?? defaultHandler()
      const log = (): boolean => logRequestError(sink, context, err, {
        statusCode: errorStatus(err, res),
        logger: state?.settings.loggerName ?? 'express'
      })
      if (context === undefined || requestContext.get() === context) log()
      else requestContext.run(context, log)
    } catch {
      // Never turn one error into two: the application's error handlers still run.
    }
    next(err)
  }
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
