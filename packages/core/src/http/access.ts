import type { RequestContext } from '../context'
import type { LogSink } from '../contracts'
import type { Level } from '../levels'
import type { AccessInfo, LogRecord } from '../record'

/** nginx's "client closed request": the status of an access event whose client left before a response was sent. */
export const CLIENT_CLOSED_REQUEST = 499

/** Level of an access event by status: the same rule in every adapter, overridable by each. */
export type AccessLevelFn = (statusCode: number, aborted: boolean) => Level

/** 5xx: error, 4xx and aborted requests: warn, the rest: info. */
export const defaultAccessLevel: AccessLevelFn = (statusCode, aborted) =>
  statusCode >= 500 ? 'error' : (statusCode >= 400 || aborted) ? 'warn' : 'info'

/** The defaults of the access options, the same in every adapter (each names its own `loggerName`). */
export const ACCESS_DEFAULTS = Object.freeze({ accessLog: true, accessLevel: defaultAccessLevel })

/** `GET /orders/42 200 12.3ms`, or `GET /orders/42 aborted after 12.3ms`: readable at a glance. */
export function accessMessage (method: string, url: string, statusCode: number | undefined, durationMs: number, aborted: boolean): string {
  const duration = `${durationMs.toFixed(1)}ms`
  return aborted ? `${method} ${url} aborted after ${duration}` : `${method} ${url} ${statusCode ?? '-'} ${duration}`
}

export interface AccessEventOptions {
  statusCode: number
  aborted: boolean
  responseBytes?: number | undefined
  requestBytes?: number | undefined
  level?: AccessLevelFn
  logger?: string | undefined
  /** `performance.now()` at the end. @default now */
  endTime?: number
}

/**
 * Writes the one access event of a request, with the request context active so the
 * formatter adds the request fields. Never throws.
 */
export function logAccess (sink: LogSink, context: RequestContext, options: AccessEventOptions): void {
  try {
    const end = options.endTime ?? performance.now()
    const durationMs = Math.max(0, end - (context.startTime ?? end))
    const access: AccessInfo = { durationMs, statusCode: options.statusCode, aborted: options.aborted }
    if (options.responseBytes !== undefined) access.responseBytes = options.responseBytes
    if (options.requestBytes !== undefined) access.requestBytes = options.requestBytes
    const record: LogRecord = {
      level: (options.level ?? defaultAccessLevel)(options.statusCode, options.aborted),
      message: accessMessage(context.method ?? '-', context.url ?? '-', options.statusCode, durationMs, options.aborted),
      time: Date.now(),
      access
    }
    if (options.logger !== undefined) record.logger = options.logger
    sink.log(record)
  } catch {
    // An access event must never break the response.
  }
}

/**
 * Asks an adapter's `skip` option whether a request goes without its access event. A `skip`
 * that throws logs the event rather than hide it, and never breaks the response.
 */
export function isAccessSkipped<A extends unknown[]> (skip: ((...args: A) => unknown) | undefined, ...args: A): boolean {
  if (skip === undefined) return false
  try {
    return skip(...args) === true
  } catch {
    return false
  }
}
