import type { AccessLevelFn, Fields, Level, LogRecord, RequestContext } from '@logstash-async/core'
import {
  accessFromSerialized, contextFromSerializedRequest, isSerializedRequest, isSerializedResponse
} from '@logstash-async/core/internal'
import { findError } from './errors'
import { mapWinstonLevel } from './levels'

// triple-beam's symbols: the level before colorize, the formatted line, the splat arguments.
const LEVEL = Symbol.for('level')
const SPLAT = Symbol.for('splat')

/** The field of a winston level that is not one of ours (`http`, `notice`, a custom level). */
export const CUSTOM_LEVEL_FIELD = 'winston_level'

/** How info objects are read. */
export interface InfoSettings {
  readonly loggerName: string | undefined
  readonly accessLevel: AccessLevelFn | false
  readonly levelMap: Readonly<Record<string, Level>> | undefined
}

// express-winston's request logging: `{ req, res, responseTime }`, under `meta` by default.
const HTTP_KEYS = new Set(['req', 'res', 'responseTime'])

/**
 * One winston info object as a record, and the request context it describes when it is
 * an express-winston request line logged outside our adapters (`active` undefined).
 */
export function infoToRecord (info: Record<string | symbol, unknown>, settings: InfoSettings, active: RequestContext | undefined): { record: LogRecord, context: RequestContext | undefined } {
  const { level, custom } = mapWinstonLevel(info[LEVEL] ?? info.level, settings.levelMap)
  const time = timeOf(info.timestamp)
  const record: LogRecord = { level, message: messageOf(info.message), time: time ?? Date.now() }
  if (settings.loggerName !== undefined) record.logger = settings.loggerName

  const splat = Array.isArray(info[SPLAT]) ? info[SPLAT] as readonly unknown[] : undefined
  const found = findError(info, splat)
  if (found !== undefined) {
    record.error = found.error
    if (record.message === '' && found.error instanceof Error) record.message = found.error.message
  }
  // express-winston's request line: under `meta` by default, at the top with `metaField: null`.
  const meta = info.meta
  const http = isPlainObject(meta) && isSerializedRequest(meta.req) ? meta : isSerializedRequest(info.req) ? info : undefined

  let fields: Fields | undefined
  for (const key in info) {
    if (key === 'level' || key === 'message') continue
    if (key === 'timestamp' && time !== undefined) continue
    if (found?.keys.includes(key) === true) continue
    if (http !== undefined && (http === info ? HTTP_KEYS.has(key) : key === 'meta')) continue
    (fields ??= {})[key] = info[key]
  }
  // Objects passed after the message that winston did not merge (it merges only the first).
  if (splat !== undefined) {
    for (const value of splat) {
      if (!isPlainObject(value)) continue
      for (const key in value) {
        if (!(key in info) && (fields === undefined || !(key in fields))) (fields ??= {})[key] = value[key]
      }
    }
  }
  if (custom !== undefined) (fields ??= {})[CUSTOM_LEVEL_FIELD] = custom

  let context = active
  if (http !== undefined) {
    const req = http.req as Record<string, unknown>
    if (active === undefined) context = contextFromSerializedRequest(req, undefined).context
    const res = http.res
    if (isSerializedResponse(res) && typeof http.responseTime === 'number') {
      const access = accessFromSerialized(res, http.responseTime, req, false)
      record.access = access
      if (settings.accessLevel !== false) record.level = settings.accessLevel(access.statusCode as number, access.aborted === true)
    }
    const rest = http === info ? undefined : withoutHttpKeys(http)
    if (rest !== undefined) (fields ??= {}).meta = rest
  }
  if (fields !== undefined) record.fields = fields
  return { record, context }
}

function withoutHttpKeys (meta: Record<string, unknown>): Fields | undefined {
  let rest: Fields | undefined
  for (const key in meta) {
    if (!HTTP_KEYS.has(key)) (rest ??= {})[key] = meta[key]
  }
  return rest
}

function messageOf (value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined || value === null) return ''
  if (value instanceof Error) return value.message
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** `format.timestamp()`'s string (ISO by default, or a fecha format Date.parse reads), a Date or epoch milliseconds. */
function timeOf (value: unknown): number | undefined {
  const time = typeof value === 'string' ? Date.parse(value) : value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN
  return Number.isFinite(time) ? time : undefined
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}
