import type { RequestContext } from '../context'
import type { LogSink } from '../contracts'
import type { Level } from '../levels'
import { errorMessage } from '../formatters/fields'

export interface RequestErrorOptions {
  /** The status the error results in. */
  statusCode: number
  logger?: string | undefined
  /** @default 'error' for 5xx, 'warn' for the rest */
  level?: Level
}

/**
 * Logs the error of a request once: with the real error (type, message, stack, cause)
 * and the status it results in. Returns false, logging nothing, when the request's error
 * was already logged by another path (an error middleware and an error hook, a module
 * imported twice). Never throws.
 */
export function logRequestError (sink: LogSink, context: RequestContext | undefined, error: unknown, options: RequestErrorOptions): boolean {
  try {
    if (context?.errorLogged === true) return false
    if (context !== undefined) {
      context.errorLogged = true
      context.statusCode = options.statusCode
    }
    sink.log({
      level: options.level ?? (options.statusCode >= 500 ? 'error' : 'warn'),
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
