import {
  ConfigurationError, defaultHandler, isLevel, requestContext,
  type Fields, type Level, type LogRecord, type LogSink
} from '@logstash-async/core'

/** Options of `logstashStream`: the keys of pino's options that change its lines. */
export interface LogstashStreamOptions {
  /** pino's `messageKey`. @default 'msg' */
  messageKey?: string
  /** pino's `errorKey`. @default 'err' */
  errorKey?: string
  /** Fastify's `requestIdLogLabel` (the `LogController` option of the same name). @default 'reqId' */
  requestIdKey?: string
}

/**
 * A pino destination: what `Fastify({ logger: { stream } })` and `pino(options, stream)` accept.
 * pino calls `write()` synchronously, in the caller's async context, with one JSON line.
 */
export interface LogstashDestination {
  write (line: string): void
  /** Called by `logger.flush(cb)`: resolves when what was logged before it is delivered. */
  flush (callback?: (err?: Error) => void): void
}

// pino's own fields, replaced by the handler's (host, pid, @timestamp, level, logger name).
const PINO_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'v'])

/**
 * A pino destination writing each line to `handler` as a log record: pino's level, message,
 * time, logger name and `err` become the record's, the other keys its fields. The request
 * context is read when pino writes, which is synchronous in the caller's context, so
 * `request.log.info()` events carry the request's fields. A line of a request logged outside
 * its context (Fastify's 'incoming request', written before `onRequest`) still gets the
 * request id from `reqId`.
 */
export function logstashStream (handler: LogSink = defaultHandler(), options: LogstashStreamOptions = {}): LogstashDestination {
  if (typeof handler?.log !== 'function') {
    throw new ConfigurationError(`logstashStream handler must be an object with a log(record) method (a LogstashHandler), got ${handler === null ? 'null' : typeof handler}`)
  }
  const messageKey = checkKey('messageKey', options.messageKey ?? 'msg')
  const errorKey = checkKey('errorKey', options.errorKey ?? 'err')
  const requestIdKey = checkKey('requestIdKey', options.requestIdKey ?? 'reqId')
  const flushable = handler as LogSink & { flush?: () => Promise<unknown> }

  const writeLine = (line: string): void => {
    const parsed = parseLine(line)
    if (parsed === undefined) {
      handler.log({ level: 'info', message: line, time: Date.now() })
      return
    }
    const active = requestContext.get()
    const requestId = parsed[requestIdKey]
    if (active !== undefined && requestId === active.id) delete parsed[requestIdKey]
    const record = toRecord(parsed, messageKey, errorKey)
    if (active === undefined && typeof requestId === 'string' && requestId !== '') {
      delete record.fields?.[requestIdKey]
      requestContext.run({ id: requestId }, () => handler.log(record))
    } else {
      handler.log(record)
    }
  }

  return {
    write (chunk: string): void {
      try {
        const text = typeof chunk === 'string' ? chunk : String(chunk)
        // One line per write from pino; several if a caller batches them.
        let start = 0
        let end: number
        while ((end = text.indexOf('\n', start)) !== -1) {
          if (end > start) writeLine(text.slice(start, end))
          start = end + 1
        }
        if (start < text.length) writeLine(text.slice(start))
      } catch {
        // A destination that throws would break the application's log call.
      }
    },
    flush (callback?: (err?: Error) => void): void {
      const done = typeof callback === 'function' ? callback : () => {}
      if (typeof flushable.flush !== 'function') { done(); return }
      flushable.flush().then(() => done(), (err: unknown) => done(err instanceof Error ? err : new Error(String(err))))
    }
  }
}

function parseLine (line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

function toRecord (line: Record<string, unknown>, messageKey: string, errorKey: string): LogRecord {
  const error = line[errorKey]
  const rawMessage = line[messageKey]
  const record: LogRecord = {
    level: pinoLevel(line.level),
    message: typeof rawMessage === 'string' ? rawMessage : rawMessage === undefined ? '' : JSON.stringify(rawMessage),
    time: pinoTime(line.time)
  }
  if (typeof line.name === 'string') record.logger = line.name
  const fields: Fields = {}
  let hasFields = false
  for (const key in line) {
    if (key === messageKey || PINO_FIELDS.has(key)) continue
    if (key === errorKey && isSerializedError(error)) continue
    fields[key] = line[key]
    hasFields = true
  }
  if (isSerializedError(error)) {
    const { error: rebuilt, details } = rebuildError(error)
    record.error = rebuilt
    if (record.message === '') record.message = rebuilt.message
    if (details !== undefined) { fields[errorKey] = details; hasFields = true }
  }
  if (hasFields) record.fields = fields
  return record
}

/** pino's numbers (10 trace ... 60 fatal, custom levels in between) or a label from `formatters.level`. */
export function pinoLevel (value: unknown): Level {
  if (typeof value === 'number') {
    return value >= 60 ? 'fatal' : value >= 50 ? 'error' : value >= 40 ? 'warn' : value >= 30 ? 'info' : value >= 20 ? 'debug' : 'trace'
  }
  if (isLevel(value)) return value
  return value === 'warning' ? 'warn' : value === 'critical' ? 'fatal' : 'info'
}

// pino's default is epoch milliseconds; `stdTimeFunctions.isoTime` writes a string.
function pinoTime (value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string') {
    const parsed = Date.parse(value)
    if (Number.isFinite(parsed)) return parsed
  }
  return Date.now()
}

interface SerializedError { type?: unknown, message?: unknown, stack?: unknown, [key: string]: unknown }

function isSerializedError (value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    (typeof (value as SerializedError).message === 'string' || typeof (value as SerializedError).stack === 'string')
}

/**
 * pino-std-serializers' `{ type, message, stack, ...own }` back into an Error, so formatters
 * write `error_type` and `stack_trace` as for any error. The stack already holds the causes;
 * the error's other properties (`code`, `statusCode`) stay a field.
 */
function rebuildError (value: SerializedError): { error: Error, details: Fields | undefined } {
  const error = new Error(typeof value.message === 'string' ? value.message : '')
  if (typeof value.type === 'string' && value.type !== '') error.name = value.type
  error.stack = typeof value.stack === 'string' ? value.stack : `${error.name}: ${error.message}`
  let details: Fields | undefined
  for (const key in value) {
    if (key === 'type' || key === 'message' || key === 'stack') continue
    details ??= {}
    details[key] = value[key]
  }
  return { error, details }
}

function checkKey (name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigurationError(`${name} must be a non-empty string, got ${typeof value === 'string' ? '""' : typeof value}`)
  }
  return value
}
