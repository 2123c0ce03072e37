import type { LogSink } from '../contracts'
import type { Level } from '../levels'
import { errorMessage } from '../formatters/fields'

export interface RequestErrorOptions {
  /** The status the request ended with (or will end with). */
  statusCode: number
  logger?: string | undefined
  /** @default `requestErrorLevel(statusCode)` */
  level?: Level
}

/**
 * The level of a request's error event by the status it resulted in: 4xx (499 included) is
 * the client's doing, a warning; 5xx is an error; so is an error under a 2xx or 3xx, which
 * struck after the status was sent and broke a response the client took for a success.
 */
export function requestErrorLevel (statusCode: number): Level {
  return statusCode >= 400 && statusCode < 500 ? 'warn' : 'error'
}

/**
 * Writes the error event of a request: the real error (type, message, stack, cause) and the
 * status it results in. Call it with the request's context active so the event carries the
 * request fields. Never throws; returns false when the event could not be written.
 */
export function logRequestError (sink: LogSink, error: unknown, options: RequestErrorOptions): boolean {
  try {
    sink.log({
      level: options.level ?? requestErrorLevel(options.statusCode),
      message: errorMessage(error),
      time: Date.now(),
      error,
      ...(options.logger === undefined ? {} : { logger: options.logger })
    })
    return true
  } catch {
    return false
  }
}
