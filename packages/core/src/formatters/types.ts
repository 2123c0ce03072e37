import type { RequestContext } from '../context'
import type { LogRecord } from '../record'

/**
 * Turns one record into one event string (a JSON object, no trailing newline).
 * Pure: no I/O, and it must not throw for any record; the handler still guards it and
 * sends a minimal fallback event if it does.
 */
export interface Formatter {
  /**
   * @param record what the log call produced (`time` is always set by the handler)
   * @param context the request context active at the log call, if any
   */
  format (record: LogRecord, context?: RequestContext): string
}
