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
 * Never throws.
 *
 * Unless `readOnce`, plain data (see `isPlainData`) is not copied: nested plain objects and
 * arrays are written where they are, and fields that are plain data as a whole, with no
 * target yet, are returned as they are. The caller's `JSON.stringify` then reads them
 * again; when it throws, the caller copies again with `readOnce`, every value read once.
 */
export function copyUserFields (
  source: Fields,
  target: Target | undefined,
  reserved: ReadonlySet<string>,
  automatic: Record<string, unknown> | undefined,
  readOnce: boolean
): Target {
  if (!readOnce && target === undefined && isPlainFields(source, reserved)) return source as Target
  const copy = readFields(source)
  const into: Target = target ?? copy
  let renamed: [string, unknown][] | undefined
  let ancestors: Ancestors | undefined
  let count = 0
  let dropped = 0
  for (const key in copy) {
    if (++count > MAX_KEYS) {
      if (into === copy) delete copy[key]
      dropped++
      continue
    }
    const value = copy[key]
    if (key === 'tags' && isTagsValue(value)) {
      (into[TAG_VALUES] ??= []).push(value)
      if (into === copy) delete copy[key]
      continue
    }
    const converted = (typeof value === 'object' ? value !== null && (readOnce || !isPlainData(value, 0)) : typeof value === 'string' ? value.length > MAX_STRING : typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'boolean')
      ? toJsonSafeWith(value, ancestors ??= takeAncestors())
      : value
    if (reserved.has(key) || (automatic !== undefined && Object.hasOwn(automatic, key))) {
      if (into === copy) delete copy[key]
      if (converted !== undefined) (renamed ??= []).push([`field_${key}`, converted])
    } else if (into !== copy || converted !== value) {
      if (key === '__proto__') setOwn(into as Record<string, Json>, key, converted as Json)
      else into[key] = converted
    }
  }
  if (renamed !== undefined) for (const [name, value] of renamed) setOwn(into as Record<string, Json>, name, value as Json)
  if (ancestors !== undefined) releaseAncestors(ancestors)
  if (dropped > 0) into['...'] = `${dropped} more keys`
  return into
}
