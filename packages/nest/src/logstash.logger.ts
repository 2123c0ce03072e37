import { LogstashHandler, type Fields, type Level, type LogRecord, type LogSink } from '@logstash-async/core'
import { RequestLifecycle } from '@logstash-async/core/adapter'
import { Inject, Injectable, type LoggerService, type LogLevel } from '@nestjs/common'
import { NEST_EXCEPTIONS_HANDLER_CONTEXT } from './constants'

/** Nest's level names to the core's. */
const LEVEL_OF: Readonly<Record<LogLevel, Level>> = Object.freeze({
  verbose: 'trace', debug: 'debug', log: 'info', warn: 'warn', error: 'error', fatal: 'fatal'
})

/**
 * Nest's `LoggerService` writing to the module's handler: for `app.useLogger()` (Nest's own
 * logs, `new Logger('Name')` everywhere) and for injection into services. Nest's context
 * argument (the last string argument) becomes the logger name; an `Error` becomes the
 * event's error; plain objects become fields. Calls never throw.
 */
@Injectable()
export class LogstashLogger implements LoggerService {
  readonly #sink: LogSink
  #enabled: ReadonlySet<LogLevel> | undefined

  constructor (@Inject(LogstashHandler) handler: LogSink) {
    this.#sink = handler
  }

  /** An `INFO` event: `log(message, fields?, context?)`. */
  log (message: unknown, ...optionalParams: unknown[]): void { this.#write('log', message, optionalParams) }
  /** An `ERROR` event; an Error (as message or param) or a stack string becomes its error. */
  error (message: unknown, ...optionalParams: unknown[]): void { this.#write('error', message, optionalParams) }
  /** A `WARNING` event. */
  warn (message: unknown, ...optionalParams: unknown[]): void { this.#write('warn', message, optionalParams) }
  /** A `DEBUG` event. */
  debug (message: unknown, ...optionalParams: unknown[]): void { this.#write('debug', message, optionalParams) }
  /** A `TRACE` event (Nest's verbose). */
  verbose (message: unknown, ...optionalParams: unknown[]): void { this.#write('verbose', message, optionalParams) }
  /** A `CRITICAL` event. */
  fatal (message: unknown, ...optionalParams: unknown[]): void { this.#write('fatal', message, optionalParams) }

  /** Only these Nest levels are logged from now on (Nest calls it for its `logger` option). */
  setLogLevels (levels: LogLevel[]): void {
    this.#enabled = new Set(levels)
  }

  #write (nestLevel: LogLevel, message: unknown, params: unknown[]): void {
    try {
      if (this.#enabled !== undefined && !this.#enabled.has(nestLevel)) return
      const level = LEVEL_OF[nestLevel]
      if (this.#sink.isLevelEnabled?.(level) === false) return
      const record = buildRecord(level, message, params)
      if (nestLevel === 'error' && record.logger === NEST_EXCEPTIONS_HANDLER_CONTEXT && this.#isRequestError(record)) return
      this.#sink.log(record)
    } catch {
      // Logging must never break the application.
    }
  }

  // Nest's built-in exception filter logs an unknown error of a request here. The adapter
  // logs it once, with its status, when the response ends: this call only makes sure the
  // error is known (a filter of the application may have hidden it from the adapter's).
  #isRequestError (record: LogRecord): boolean {
    const lifecycle = RequestLifecycle.current()
    if (lifecycle === undefined || lifecycle.ended) return false
    lifecycle.recordError(record.error ?? new Error(record.message))
    return true
  }
}

/**
 * A record from Nest's `LoggerService` arguments: `(message, ...params, context?)`. The
 * message may be a string, an Error or an object; a string param that looks like a stack
 * (Nest's `error(message, stack, context)`) becomes the error's stack.
 */
export function buildRecord (level: Level, message: unknown, params: unknown[]): LogRecord {
  const record: LogRecord = { level, message: '', time: Date.now() }
  let rest = params
  const last = rest.at(-1)
  if (rest.length > 0 && typeof last === 'string') {
    record.logger = last
    rest = rest.slice(0, -1)
  }
  let fields: Fields | undefined
  if (message instanceof Error) {
    record.error = message
    record.message = message.message
  } else if (isPlainObject(message)) {
    const { message: text, msg, ...others } = message
    record.message = typeof text === 'string' ? text : typeof msg === 'string' ? msg : ''
    fields = others
  } else {
    record.message = typeof message === 'string' ? message : safeString(message)
  }
  const extra: string[] = []
  for (const param of rest) {
    if (param === undefined) continue
    if (param instanceof Error) {
      record.error ??= param
    } else if (isPlainObject(param)) {
      fields = { ...fields, ...param }
    } else if (level === 'error' && record.error === undefined && typeof param === 'string' && looksLikeStack(param)) {
      const error = new Error(record.message)
      error.stack = param
      record.error = error
    } else {
      extra.push(typeof param === 'string' ? param : safeString(param))
    }
  }
  if (extra.length > 0) record.message = [record.message, ...extra].filter((part) => part !== '').join(' ')
  if (fields !== undefined) record.fields = fields
  return record
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function looksLikeStack (value: string): boolean {
  return /\n\s+at /.test(value)
}

function safeString (value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) ?? String(value) : String(value)
  } catch {
    return '[unprintable]'
  }
}
