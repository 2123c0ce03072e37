import { toJsonSafe } from './json-safe'
import { truncate, type SafeJsonLimits } from './limits'

export interface ShortenOptions {
  maxBytes: number
  /** Where the `truncated` note goes (`''`: top level). */
  extraPrefix: string
  ensureAscii: boolean
  /** Top-level fields that identify the event: never shortened, always kept. @default the Logstash event's */
  coreFields?: ReadonlySet<string>
  /**
   * What the last resort keeps when even the core fields do not fit, `message` emptied.
   * @default only `@timestamp`, and the note at the top level
   */
  minimalFields?: readonly string[]
}

const LOGSTASH_CORE: ReadonlySet<string> = new Set(['@timestamp', '@version', 'host', 'level', 'logsource', 'pid', 'program', 'type', '@metadata', 'tags'])
const NON_ASCII = /[\u0080-\uffff]/g

/**
 * Makes an event that is too large fit in `maxBytes`, keeping as much as it can: first
 * with ever tighter limits on the strings, arrays, nested objects and depth of every
 * non-core field (the message included), keeping every field name at the top level and
 * one level down (the fields inside `extra`, `labels`, `error`...); then with only the core
 * fields and a shortened message. The result says so in
 * `truncated: { original_bytes, max_event_bytes }`. Rare and slow by design.
 */
export function shortenEvent (event: string, options: ShortenOptions): string {
  const { maxBytes, extraPrefix, ensureAscii } = options
  const coreFields = options.coreFields ?? LOGSTASH_CORE
  const originalBytes = Buffer.byteLength(event)
  const note = { original_bytes: originalBytes, max_event_bytes: maxBytes }
  const serialize = (value: unknown): string => {
    const json = JSON.stringify(value)
    return ensureAscii ? json.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : json
  }
  const fits = (json: string): boolean => Buffer.byteLength(json) <= maxBytes

  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(event) as Record<string, unknown>
  } catch {
    parsed = { message: event }
  }
  const rest: Record<string, unknown> = Object.create(null)
  for (const [key, value] of Object.entries(parsed)) if (!coreFields.has(key)) rest[key] = value

  const assemble = (shortened: Record<string, unknown>): Record<string, unknown> => {
    const result: Record<string, unknown> = Object.create(null)
    for (const [key, value] of Object.entries(parsed)) {
      if (coreFields.has(key)) result[key] = value
      else if (key in shortened) result[key] = shortened[key]
    }
    const holder = extraPrefix === '' ? result : (result[extraPrefix] ??= {}) as Record<string, unknown>
    holder.truncated = note
    return result
  }

  let limits: SafeJsonLimits = {
    maxStringLength: Math.max(64, Math.floor(maxBytes / 4)),
    maxArrayLength: 100,
    maxObjectKeys: 100,
    maxDepth: 6
  }
  while (limits.maxStringLength >= 64) {
    const json = serialize(assemble(shortenFields(rest, limits)))
    if (fits(json)) return json
    limits = {
      maxStringLength: Math.floor(limits.maxStringLength / 2),
      maxArrayLength: Math.max(1, Math.floor(limits.maxArrayLength / 2)),
      maxObjectKeys: Math.max(1, Math.floor(limits.maxObjectKeys / 2)),
      maxDepth: Math.max(1, limits.maxDepth - 1)
    }
  }

  // Only the core fields and as much of the message as fits.
  const message = typeof parsed.message === 'string' ? parsed.message : ''
  let room = Math.max(0, maxBytes - Buffer.byteLength(serialize(assemble({ message: '' }))) - 40)
  for (;;) {
    const json = serialize(assemble({ message: truncate(message, room) }))
    if (fits(json) || room === 0) return fits(json) ? json : serialize(minimalEvent(parsed, options.minimalFields, extraPrefix, note))
    room = Math.floor(room / 2)
  }
}

function minimalEvent (parsed: Record<string, unknown>, keep: readonly string[] | undefined, extraPrefix: string, note: unknown): Record<string, unknown> {
  if (keep === undefined) return { '@timestamp': parsed['@timestamp'], truncated: note }
  const result: Record<string, unknown> = {}
  for (const key of Object.keys(parsed)) {
    if (keep.includes(key)) result[key] = key === 'message' ? '' : parsed[key]
  }
  if (extraPrefix === '') result.truncated = note
  else result[extraPrefix] = { truncated: note }
  return result
}

// Every field keeps its name, at the top level and inside a top-level object (the fields
// of `extra`, `labels`, `error`...); only the values below them are cut.
function shortenFields (fields: Record<string, unknown>, limits: SafeJsonLimits): Record<string, unknown> {
  // Null-prototype objects: a `__proto__` key JSON.parse made stays a key.
  const result: Record<string, unknown> = Object.create(null)
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const inner: Record<string, unknown> = Object.create(null)
      for (const [innerKey, innerValue] of Object.entries(value)) inner[innerKey] = toJsonSafe(innerValue, limits)
      result[key] = inner
    } else {
      result[key] = toJsonSafe(value, limits)
    }
  }
  return result
}
