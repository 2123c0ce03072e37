import { defaultHandler } from './default-handler'
import type { LogSink } from './contracts'
import { LEVEL_VALUES, LEVELS, isLevel, type Level } from './levels'
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

type LogMethod = {
  (message: string, fields?: Fields): void
  /** An Error first: its message becomes the event's message unless one is given. */
  (error: Error, message?: string, fields?: Fields): void
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
  /** Logs at a level chosen at run time. */
  log (level: Level, message: string | Error, fields?: Fields): void
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

  log (level: Level, message: string | Error, fields?: Fields): void {
    this.#write(isLevel(level) ? level : 'info', message, fields, undefined)
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
    return ((first: string | Error, second?: string | Fields, third?: Fields): void => {
      if (value < this.#minLevel) return
      this.#write(level, first, second, third)
    }) as LogMethod
  }

  #write (level: Level, first: unknown, second: unknown, third: unknown): void {
    try {
      const record: LogRecord = { level, message: '', time: Date.now() }
      if (this.name !== undefined) record.logger = this.name
      let fields: Fields | undefined
      if (first instanceof Error) {
        record.error = first
        if (typeof second === 'string') {
          record.message = second
          fields = third as Fields | undefined
        } else {
          record.message = first.message
          fields = second as Fields | undefined
        }
      } else {
        record.message = typeof first === 'string' ? first : safeString(first)
        fields = second as Fields | undefined
      }
      if (typeof fields !== 'object' || fields === null) fields = undefined
      if (fields !== undefined && record.error === undefined) {
        try {
          // `{ err }` or `{ error }` holding an Error is the event's error, as in pino.
          const candidate = fields.err instanceof Error ? 'err' : fields.error instanceof Error ? 'error' : undefined
          if (candidate !== undefined) {
            record.error = fields[candidate]
            const { [candidate]: _omitted, ...rest } = fields
            fields = rest
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

// The spread fails on a throwing getter or a hostile Proxy; the event must still be sent,
// with what can be read (the formatter does the same for fields without bindings).
function mergeFields (bindings: Fields, fields: Fields): Fields {
  try {
    return { ...bindings, ...fields }
  } catch {
    const merged: Fields = { ...bindings }
    try {
      for (const key of Object.keys(fields)) {
        try {
          merged[key] = fields[key]
        } catch (err) {
          merged[key] = `[Getter threw: ${safeString((err as Error)?.message ?? err)}]`
        }
      }
    } catch {
      // Not even the keys can be listed: the bindings alone.
    }
    return merged
  }
}

function safeString (value: unknown): string {
  try {
    return String(value)
  } catch {
    return '[unprintable message]'
  }
}
