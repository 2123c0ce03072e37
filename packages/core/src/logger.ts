import { defaultHandler } from './default-handler'
import type { LogSink } from './contracts'
import { mergeFields } from './formatters/merge-fields'
import { LEVEL_VALUES, LEVELS, isLevel, type Level } from './levels'
import { parseCall } from './log-call'
import type { Fields, LogRecord } from './record'
import { checkPlainObject, checkString, fail } from './validate'

export interface LoggerOptions {
  /** Where records go. @default the process-wide `defaultHandler()` */
  handler?: LogSink
  /** The logger's name (`logger_name`, `log.logger`). @default none */
  name?: string
  /** Fields on every event of this logger. @default none */
  fields?: Fields
  /** Calls below this level are skipped before a record is built. @default 'trace' (the handler filters too) */
  level?: Level
}

/**
 * One level's method. Takes the forms Node users write (pino's, and console's):
 * `('order %s placed', id)` printf-style, `('order placed', { orderId })` fields last,
 * `({ orderId }, 'order %s placed', id)` fields first, `(err)`, `(err, 'message')`,
 * `(err, { orderId })`, `('failed', err)`. At run time any other first value (a number, an
 * array, a Symbol, from untyped code) is written as the message, never `[object Object]`.
 */
export interface LogMethod {
  /** A message with printf-style `%s %d %i %f %j %o %O %%` arguments; a plain object last is the fields. */
  (message: string, ...args: unknown[]): void
  /** pino's order: the fields first, then the message and its arguments. */
  (fields: Fields, message?: string, ...args: unknown[]): void
  /** An Error first: its message becomes the event's message unless one is given. */
  (error: Error, message?: string, ...args: unknown[]): void
  (error: Error, fields?: Fields): void
}

/** A logger with one method per level; `child()` adds fields. Calls never throw. */
export interface Logger {
  readonly name: string | undefined
  readonly level: Level
  trace: LogMethod
  debug: LogMethod
  info: LogMethod
  warn: LogMethod
  error: LogMethod
  fatal: LogMethod
  /** Logs at a level chosen at run time, with the arguments a level method takes. */
  log (level: Level, ...args: unknown[]): void
  isLevelEnabled (level: Level): boolean
  /** A logger with these fields added to every event (and, optionally, another name). */
  child (fields: Fields, options?: { name?: string }): Logger
}

/** Creates a logger writing to `handler` (the process-wide default handler if none is given). */
export function createLogger (options: LoggerOptions = {}): Logger {
  checkPlainObject('createLogger options', options)
  const handler = options.handler ?? defaultHandler()
  if (typeof handler?.log !== 'function') fail('handler', 'an object with a log(record) method (a LogstashHandler)', handler)
  const name = options.name === undefined ? undefined : checkString('name', options.name)
  const fields = options.fields === undefined ? undefined : checkPlainObject('fields', options.fields)
  const level = options.level ?? 'trace'
  if (!isLevel(level)) fail('level', `one of ${LEVELS.join(', ')}`, level)
  return new LoggerImpl(handler, name, fields, level)
}

class LoggerImpl implements Logger {
  readonly #sink: LogSink
  readonly #bindings: Fields | undefined
  readonly #minLevel: number
  readonly name: string | undefined
  readonly level: Level
  readonly trace: LogMethod
  readonly debug: LogMethod
  readonly info: LogMethod
  readonly warn: LogMethod
  readonly error: LogMethod
  readonly fatal: LogMethod

  constructor (sink: LogSink, name: string | undefined, bindings: Fields | undefined, level: Level) {
    this.#sink = sink
    this.name = name
    this.#bindings = bindings
    this.level = level
    this.#minLevel = LEVEL_VALUES[level]
    this.trace = this.#method('trace')
    this.debug = this.#method('debug')
    this.info = this.#method('info')
    this.warn = this.#method('warn')
    this.error = this.#method('error')
    this.fatal = this.#method('fatal')
  }

  log (level: Level, ...args: unknown[]): void {
    const chosen = isLevel(level) ? level : 'info'
    if (LEVEL_VALUES[chosen] < this.#minLevel) return
    this.#writeCall(chosen, args)
  }

  isLevelEnabled (level: Level): boolean {
    return LEVEL_VALUES[level] >= this.#minLevel && (this.#sink.isLevelEnabled?.(level) ?? true)
  }

  child (fields: Fields, options: { name?: string } = {}): Logger {
    const bindings = this.#bindings === undefined ? { ...fields } : { ...this.#bindings, ...fields }
    return new LoggerImpl(this.#sink, options.name ?? this.name, bindings, this.level)
  }

  #method (level: Level): LogMethod {
    const value = LEVEL_VALUES[level]
    const logger = this
    // A function, not an arrow: `arguments.length` and `arguments[i]` tell the call's
    // arguments without allocating anything on the common `(message, fields)` path (passing
    // `arguments` on would make V8 build the object on every call).
    return function log (first?: unknown, second?: unknown): void {
      if (value < logger.#minLevel) return
      try {
        const count = arguments.length
        if (typeof first === 'string' && (count === 1 || (count === 2 && isPlainObject(second) && !first.includes('%')))) {
          logger.#write(level, first, second as Fields | undefined, undefined)
          return
        }
        const args: unknown[] = new Array(count)
        for (let i = 0; i < count; i++) args[i] = arguments[i]
        logger.#writeCall(level, args)
      } catch {
        // Logging must never break the application.
      }
    } as LogMethod
  }

  #writeCall (level: Level, args: unknown[]): void {
    try {
      const { message, fields, error } = parseCall(args)
      this.#write(level, message, fields, error)
    } catch {
      // A hostile argument (a Proxy whose traps throw): the call is skipped, never thrown.
    }
  }

  #write (level: Level, message: string, callFields: Fields | undefined, error: unknown): void {
    try {
      const record: LogRecord = { level, message, time: Date.now() }
      if (this.name !== undefined) record.logger = this.name
      if (error !== undefined) record.error = error
      let fields = callFields
      if (fields !== undefined && error === undefined) {
        try {
          // `{ err }` or `{ error }` holding an Error is the event's error, as in pino.
          const candidate = fields.err instanceof Error ? 'err' : fields.error instanceof Error ? 'error' : undefined
          if (candidate !== undefined) {
            record.error = fields[candidate]
            const { [candidate]: _omitted, ...rest } = fields
            fields = rest
            if (message === '') record.message = String((record.error as Error).message)
          }
        } catch {
          // A hostile object (throwing getter, revoked Proxy): the formatter copes with it.
        }
      }
      if (this.#bindings !== undefined) fields = fields === undefined ? this.#bindings : mergeFields(this.#bindings, fields)
      if (fields !== undefined) record.fields = fields
      this.#sink.log(record)
    } catch {
      // Logging must never break the application; the handler reports its own failures.
    }
  }
}

// The common `(message, fields)` call's check; anything unusual takes parseCall's path.
function isPlainObject (value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  try {
    const proto: unknown = Object.getPrototypeOf(value)
    return proto === Object.prototype || proto === null
  } catch {
    return false
  }
}
