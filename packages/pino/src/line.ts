import { requestContext, type Fields, type LogRecord, type LogSink, type RequestContext } from '@logstash-async/core'
import {
  accessFromSerialized, accessMessage, contextFromSerializedRequest, isSerializedRequest, isSerializedResponse
} from '@logstash-async/core/internal'
import { mapPinoLevel, type PinoLevels } from './levels'
import { DESTINATION_DEFAULTS, type LineSettings } from './options'
import { isSerializedError, rebuildError } from './serialized-error'
import { pinoTime } from './time'

/** What pino announces to a destination when a logger is created (`PINO_CONFIG`). */
export interface PinoConfig {
  levels?: PinoLevels
  messageKey?: string
  errorKey?: string
}

// pino's own fields: the handler writes its own host, pid, timestamp, level and logger name.
const PINO_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'v'])

// The messages pino-http writes by default: an access line with one of them reads like our
// adapters' (`GET /orders/42 200 3.0ms`); a message of the application's own is kept.
const DEFAULT_ACCESS_MESSAGES = new Set(['request completed', 'request errored', 'request aborted'])

/** The field of a line's custom pino level label (`audit`), which maps to one of ours. */
export const CUSTOM_LEVEL_FIELD = 'pino_level'

/**
 * Turns pino's lines into records for a sink. One instance per destination: it holds the
 * settings and what the pino logger announced.
 */
export class LineWriter {
  readonly #sink: LogSink
  readonly #settings: LineSettings
  #messageKey: string
  #errorKey: string
  #levels: PinoLevels | undefined

  constructor (sink: LogSink, settings: LineSettings) {
    this.#sink = sink
    this.#settings = settings
    this.#messageKey = settings.messageKey ?? DESTINATION_DEFAULTS.messageKey
    this.#errorKey = settings.errorKey ?? DESTINATION_DEFAULTS.errorKey
  }

  /** What the pino logger announced: its levels and keys, unless the options set the keys. */
  configure (config: PinoConfig): void {
    if (typeof config !== 'object' || config === null) return
    if (isLevels(config.levels)) this.#levels = config.levels
    if (this.#settings.messageKey === undefined && typeof config.messageKey === 'string' && config.messageKey !== '') this.#messageKey = config.messageKey
    if (this.#settings.errorKey === undefined && typeof config.errorKey === 'string' && config.errorKey !== '') this.#errorKey = config.errorKey
  }

  /** Writes every complete line of `text` (pino writes one per call; a caller may batch). Never throws. */
  writeLines (text: string): void {
    let start = 0
    let end: number
    while ((end = text.indexOf('\n', start)) !== -1) {
      if (end > start) this.writeLine(text.slice(start, end))
      start = end + 1
    }
    if (start < text.length) this.writeLine(text.slice(start))
  }

  /** Writes one line. The request context is read now: pino writes in the caller's context. Never throws. */
  writeLine (line: string): void {
    try {
      const parsed = parseLine(line)
      if (parsed === undefined) {
        this.#sink.log({ level: 'info', message: line, time: Date.now() })
        return
      }
      const active = requestContext.get()
      const { record, context } = this.#toRecord(parsed, active)
      if (context === undefined || context === active) this.#sink.log(record)
      else requestContext.run(context, () => this.#sink.log(record))
    } catch {
      // A destination that throws would break the application's log call.
    }
  }

  #toRecord (line: Record<string, unknown>, active: RequestContext | undefined): { record: LogRecord, context: RequestContext | undefined } {
    const settings = this.#settings
    const messageKey = this.#messageKey
    const errorKey = this.#errorKey
    const { level, custom } = mapPinoLevel(line.level, this.#levels, settings.levelMap)
    const rawMessage = line[messageKey]
    const record: LogRecord = {
      level,
      message: typeof rawMessage === 'string' ? rawMessage : rawMessage === undefined ? '' : safeJson(rawMessage),
      time: pinoTime(line.time)
    }
    if (typeof line.name === 'string') record.logger = line.name

    let fields: Fields | undefined
    let req: Record<string, unknown> | undefined
    let res: Record<string, unknown> | undefined
    let responseTime: number | undefined
    let requestId: unknown
    for (const key in line) {
      if (key === messageKey || PINO_FIELDS.has(key)) continue
      const value = line[key]
      if (key === errorKey && isSerializedError(value)) {
        const { error, details } = rebuildError(value)
        record.error = error
        if (details !== undefined) (fields ??= {})[key] = details
      } else if (key === settings.requestKey && isSerializedRequest(value)) {
        req = value
      } else if (key === settings.responseKey && isSerializedResponse(value)) {
        res = value
      } else if (key === settings.responseTimeKey && typeof value === 'number') {
        responseTime = value
      } else if (key === settings.requestIdKey) {
        requestId = value
      } else {
        (fields ??= {})[key] = value
      }
    }
    if (record.message === '' && record.error instanceof Error) record.message = record.error.message
    if (custom !== undefined) (fields ??= {})[CUSTOM_LEVEL_FIELD] = custom

    // The request: inside one of our adapters, its context (richer: route, user, trust
    // proxy); outside, the line's own `req` (pino-http, nestjs-pino) or `reqId` (Fastify).
    let context = active
    const lineId = idOf(requestId) ?? idOf(req?.id)
    if (active === undefined) {
      if (req !== undefined) {
        const built = contextFromSerializedRequest(req, lineId)
        context = built.context
        if (built.rest !== undefined) (fields ??= {})[settings.requestKey] = built.rest
        if (res !== undefined && typeof res.headers === 'object' && res.headers !== null) context.responseHeaders = res.headers as RequestContext['responseHeaders']
      } else if (lineId !== undefined) {
        context = { id: lineId }
      }
    } else if (requestId !== undefined && idOf(requestId) !== active.id) {
      (fields ??= {})[settings.requestIdKey] = requestId
    }
    if (requestId !== undefined && context === undefined) (fields ??= {})[settings.requestIdKey] = requestId

    if (res !== undefined) {
      if (responseTime === undefined) {
        (fields ??= {})[settings.responseKey] = res
      } else {
        const access = accessFromSerialized(res, responseTime, req, rawMessage === 'request aborted')
        record.access = access
        const statusCode = access.statusCode as number
        const aborted = access.aborted === true
        if (settings.accessLevel !== false) record.level = settings.accessLevel(statusCode, aborted)
        const method = context?.method
        const url = context?.url
        if (req !== undefined && method !== undefined && url !== undefined && DEFAULT_ACCESS_MESSAGES.has(record.message)) {
          record.message = accessMessage(method, url, statusCode, access.durationMs, aborted)
        }
      }
    } else if (responseTime !== undefined) {
      (fields ??= {})[settings.responseTimeKey] = responseTime
    }
    if (fields !== undefined) record.fields = fields
    return { record, context }
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

/** A request id as a line holds it: a non-empty string, or pino-http's default counter. */
function idOf (value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

function safeJson (value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

function isLevels (value: unknown): value is PinoLevels {
  return typeof value === 'object' && value !== null &&
    typeof (value as PinoLevels).labels === 'object' && (value as PinoLevels).labels !== null &&
    typeof (value as PinoLevels).values === 'object' && (value as PinoLevels).values !== null
}
