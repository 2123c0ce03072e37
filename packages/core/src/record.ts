import type { Level } from './levels'

/** Fields attached to one event: any JSON-able (or not: they are made safe) values. */
export type Fields = Record<string, unknown>

/**
 * What an adapter knows when a request ends. Formatters turn it into their own fields
 * (`duration_ms` and friends for Logstash, `event.duration` in nanoseconds for ECS).
 */
export interface AccessInfo {
  /** Milliseconds from the start of the request to the end of the response. */
  durationMs: number
  statusCode?: number
  /** Bytes of the response body, when known. */
  responseBytes?: number
  /** Bytes of the request body, when known. */
  requestBytes?: number
  /** The client went away before the response was complete. */
  aborted?: boolean
}

/** What one log call becomes before formatting. */
export interface LogRecord {
  level: Level
  message: string
  /** Milliseconds since the epoch; the handler fills it in when missing. */
  time?: number
  /** The logger's name (`logger_name`, `log.logger`). */
  logger?: string
  error?: unknown
  fields?: Fields
  tags?: readonly string[]
  /** Set on the one access event an adapter logs per request. */
  access?: AccessInfo
}

/** The largest distance from the epoch a JavaScript Date holds, in milliseconds (±275,760 years). */
export const MAX_TIME_MS = 8.64e15

/** True for a `time` an event can carry: a finite number of milliseconds within the Date range. */
export function isValidTime (time: unknown): time is number {
  return typeof time === 'number' && Math.abs(time) <= MAX_TIME_MS
}
