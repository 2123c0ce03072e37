import type { Fields } from '../record'
import { isTagsValue } from './event-parts'
import { readFields } from './merge-fields'
import { releaseAncestors, setOwn, takeAncestors, toJsonSafeWith, type Ancestors, type Json } from './json-safe'
import { DEFAULT_LIMITS } from './limits'
import { isPlainData, isPlainFields } from './json-plain'

/** Where `copyUserFields` leaves the `tags` fields it found: a symbol key, which JSON leaves out. */
export const TAG_VALUES = Symbol('tags fields')

/** The fields of an event being built, and the `tags` fields found on the way. */
export type Target = Record<string, unknown> & { [TAG_VALUES]?: unknown[] }

const MAX_STRING = DEFAULT_LIMITS.maxStringLength
const MAX_KEYS = DEFAULT_LIMITS.maxObjectKeys

/**
 * Copies the user's fields (a record's, or those assigned to the request context) into
 * `target`, or into a new object when there is none yet, and returns it. One spread reads
 * each field once; values that JSON cannot write as they are are made JSON-safe in their
 * own place. A field named like one the formatter writes in this event (a `reserved` name,
 * or an `automatic` field such as `stack_trace` or `req_method`) is written as
 * `field_<name>`. A `tags` field holding a string or an array is kept under `TAG_VALUES`:
 * it joins the event's tags (python-logstash-async sends it to the top-level `tags`).
 * With `readOnce`, never throws.
 *
 * Unless `readOnce`, plain data (see `isPlainData`) is not copied: the fields are read
 * straight into the target, nested plain objects and arrays are written where they are, and
 * fields that are plain data as a whole, with no target yet, are returned as they are. The
 * caller's `JSON.stringify` then reads them again. A getter or Proxy that throws (here, or
 * in JSON.stringify) throws to the caller, which starts again with `readOnce`.
 */
export function copyUserFields (
  source: Fields,
  target: Target | undefined,
  reserved: ReadonlySet<string>,
  automatic: Record<string, unknown> | undefined,
  readOnce: boolean
): Target {
  if (!readOnce && typeof source === 'object' && source !== null) {
    if (target !== undefined) return copyFields(source, target, reserved, automatic, false)
    if (isPlainFields(source, reserved)) return source as Target
  }
  const copy = readFields(source)
  return copyFields(copy, target ?? copy, reserved, automatic, readOnce)
}

// `from` is the formatter's own copy (then `into` may be that copy, changed in place) or, to
// be read once here, the caller's fields (then `into` is the target). Throws only what
// reading the caller's fields throws.
function copyFields (
  from: Record<string, unknown>,
  into: Target,
  reserved: ReadonlySet<string>,
  automatic: Record<string, unknown> | undefined,
  readOnce: boolean
): Target {
  const inPlace = into === from
  let renamed: [string, unknown][] | undefined
  let ancestors: Ancestors | undefined
  let count = 0
  let dropped = 0
  try {
    for (const key in from) {
      if (++count > MAX_KEYS) {
        if (inPlace) delete from[key]
        dropped++
        continue
      }
      const value = from[key]
      if (key === 'tags' && isTagsValue(value)) {
        (into[TAG_VALUES] ??= []).push(value)
        if (inPlace) delete from[key]
        continue
      }
      const converted = (typeof value === 'object' ? value !== null && (readOnce || !isPlainData(value, 0)) : typeof value === 'string' ? value.length > MAX_STRING : typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'boolean')
        ? toJsonSafeWith(value, ancestors ??= takeAncestors())
        : value
      if (reserved.has(key) || (automatic !== undefined && Object.hasOwn(automatic, key))) {
        if (inPlace) delete from[key]
        if (converted !== undefined) (renamed ??= []).push([`field_${key}`, converted])
      } else if (!inPlace || converted !== value) {
        if (key === '__proto__') setOwn(into as Record<string, Json>, key, converted as Json)
        else into[key] = converted
      }
    }
  } finally {
    if (ancestors !== undefined) releaseAncestors(ancestors)
  }
  if (renamed !== undefined) for (const [name, value] of renamed) setOwn(into as Record<string, Json>, name, value as Json)
  if (dropped > 0) into['...'] = `${dropped} more keys`
  return into
}
