import { DEFAULT_LIMITS } from './limits'

const OBJECT_PROTOTYPE = Object.prototype
const ARRAY_PROTOTYPE = Array.prototype
const { maxDepth: MAX_DEPTH, maxArrayLength: MAX_ITEMS, maxObjectKeys: MAX_KEYS, maxStringLength: MAX_STRING } = DEFAULT_LIMITS

/**
 * True when `JSON.stringify(value)` writes exactly what `toJsonSafe(value)` would, as far as
 * one look tells: strings within the length limit, finite numbers, booleans, null, and plain
 * arrays and plain objects of those within the limits (no Date, BigInt, Symbol, class
 * instance or `toJSON()`). `depth` counts as in `toJsonSafe` (a field's value is at 0).
 * Such a value is written where it is, without a copy. JSON.stringify reads it a second time:
 * a getter or Proxy may answer differently then, so the caller catches what JSON.stringify
 * throws and starts again from copies read once. Never throws.
 */
export function isPlainData (value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string': return value.length <= MAX_STRING
    case 'number': return Number.isFinite(value)
    case 'boolean': return true
    case 'object': return value === null || (depth < MAX_DEPTH && isPlainContainer(value, depth))
    default: return false
  }
}

/**
 * `isPlainData` for the fields of an event as a whole, when nothing else joins them: a
 * plain object of plain values, no key named `tags` (it joins the event's tags) and none
 * of `reserved` (written as `field_<name>`). Then the fields are the event's as they are.
 */
export function isPlainFields (fields: unknown, reserved: ReadonlySet<string>): boolean {
  return typeof fields === 'object' && fields !== null && isPlainContainer(fields, -1, reserved)
}

// With `reserved`, `value` is an event's fields (`isPlainFields`): an object, never an array,
// without the keys `reserved` and `tags`.
function isPlainContainer (value: object, depth: number, reserved?: ReadonlySet<string>): boolean {
  try {
    if (reserved !== undefined && Array.isArray(value)) return false
    const proto: unknown = Object.getPrototypeOf(value)
    // JSON.stringify calls a `toJSON` (an own one, or one added to a prototype), and what it
    // returns is not checked here. An object's own one is found among its keys: asking each
    // object for `toJSON` would cost a lookup through its prototype for every object (one of
    // many shapes: slow). A non-enumerable own `toJSON` on a plain object is not seen; what
    // it returns is written, within maxEventBytes.
    if (proto === ARRAY_PROTOTYPE) {
      if (!Array.isArray(value) || (value as { toJSON?: unknown }).toJSON !== undefined) return false
      const items = value as unknown[]
      if (items.length > MAX_ITEMS) return false
      for (let i = 0; i < items.length; i++) {
        if (!isPlainData(items[i], depth + 1)) return false
      }
      return true
    }
    if ((proto !== OBJECT_PROTOTYPE && proto !== null) || hasInheritedToJson(proto)) return false
    let keys = 0
    for (const key in value) {
      if (++keys > MAX_KEYS || key === 'toJSON') return false
      if (reserved !== undefined && (key === 'tags' || reserved.has(key))) return false
      const item = (value as Record<string, unknown>)[key]
      // `undefined` and functions are left out, by JSON.stringify and by toJsonSafe alike.
      if (!isPlainData(item, depth + 1) && !(typeof item === 'function' || item === undefined)) return false
    }
    return true
  } catch {
    return false
  }
}

// A `toJSON` added to Object.prototype (by a library, or a polluted prototype): one lookup on
// one object, which stays fast.
function hasInheritedToJson (proto: unknown): boolean {
  return proto !== null && (OBJECT_PROTOTYPE as { toJSON?: unknown }).toJSON !== undefined
}
