import { isoOrNull } from './timestamp'

/** How far the conversion goes before it writes a marker instead of the value. */
export interface SafeJsonLimits {
  /** Nesting depth; deeper objects become `"[Object]"` / `"[Array]"`. */
  maxDepth: number
  /** Array (and Set, typed array) items; the rest become one `"[... N more items]"` item. */
  maxArrayLength: number
  /** Keys per object (and Map); the rest become one `"...": "N more keys"` entry. */
  maxObjectKeys: number
  /** Characters per string; longer strings end in `...[N more characters]`. */
  maxStringLength: number
}

export const DEFAULT_LIMITS: Readonly<SafeJsonLimits> = Object.freeze({
  maxDepth: 10,
  maxArrayLength: 1000,
  maxObjectKeys: 1000,
  maxStringLength: 100_000
})

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/**
 * True when `JSON.stringify(value)` already gives the right event: only strings, numbers,
 * booleans, null, undefined, Dates and plain objects and arrays, within the limits. Anything
 * else (Error, Map, BigInt, a cycle, a class instance...) takes the slower `toJsonSafe`.
 * May throw (a throwing getter): callers treat that as "not plain".
 */
export function isPlainJson (value: unknown, limits: SafeJsonLimits, depth = 0): boolean {
  switch (typeof value) {
    case 'string': return value.length <= limits.maxStringLength
    case 'number': case 'boolean': case 'undefined': return true
    case 'object': {
      if (value === null) return true
      if (depth >= limits.maxDepth) return false
      if (Array.isArray(value)) {
        if (value.length > limits.maxArrayLength) return false
        for (let i = 0; i < value.length; i++) {
          if (!isPlainJson(value[i], limits, depth + 1)) return false
        }
        return true
      }
      const proto = Object.getPrototypeOf(value)
      if (proto === Object.prototype || proto === null) {
        let keys = 0
        for (const key in value) {
          if (++keys > limits.maxObjectKeys) return false
          if (!isPlainJson((value as Record<string, unknown>)[key], limits, depth + 1)) return false
        }
        return true
      }
      return value instanceof Date
    }
    default: return false
  }
}

/**
 * Converts any value into one `JSON.stringify` can write faithfully, never throwing and
 * never dropping the event: cycles, BigInt, Errors (type, message, stack, cause), Dates,
 * Maps, Sets, Buffers, typed arrays, NaN and Infinity (null), throwing getters, and values
 * past the limits all get a readable stand-in.
 */
export function toJsonSafe (value: unknown, limits: SafeJsonLimits = DEFAULT_LIMITS): Json | undefined {
  return convert(value, limits, 0, new Set<object>())
}

/**
 * The value itself when `JSON.stringify` already writes it right (the common case, and
 * cheap), else its `toJsonSafe` copy. Never throws.
 */
export function toJsonValue (value: unknown, limits: SafeJsonLimits = DEFAULT_LIMITS): unknown {
  try {
    if (isPlainJson(value, limits)) return value
  } catch { /* a throwing getter: the safe copy says so */ }
  return toJsonSafe(value, limits)
}

function convert (value: unknown, limits: SafeJsonLimits, depth: number, seen: Set<object>): Json | undefined {
  switch (typeof value) {
    case 'string': return truncate(value, limits.maxStringLength)
    case 'number': return Number.isFinite(value) ? value : null
    case 'boolean': return value
    case 'bigint': return value.toString()
    case 'symbol': return value.toString()
    case 'undefined': case 'function': return undefined
  }
  if (value === null) return null
  const object = value as object
  if (seen.has(object)) return '[Circular]'
  if (depth >= limits.maxDepth) return Array.isArray(object) ? '[Array]' : '[Object]'
  seen.add(object)
  try {
    return convertObject(object, limits, depth, seen)
  } catch (err) {
    return `[Unserializable: ${describeError(err)}]`
  } finally {
    seen.delete(object)
  }
}

function convertObject (object: object, limits: SafeJsonLimits, depth: number, seen: Set<object>): Json | undefined {
  const next = (v: unknown): Json | undefined => convert(v, limits, depth + 1, seen)

  if (Array.isArray(object)) return convertItems(object, object.length, limits, next)
  if (object instanceof Date) return isoOrNull(object)
  if (object instanceof Error) return convertError(object, limits, next)
  if (Buffer.isBuffer(object)) return truncate(object.toString('base64'), limits.maxStringLength)
  if (ArrayBuffer.isView(object)) {
    if (object instanceof DataView) return truncate(Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64'), limits.maxStringLength)
    const items = object as unknown as ArrayLike<number | bigint>
    return convertItems(items, items.length, limits, next)
  }
  if (object instanceof ArrayBuffer || object instanceof SharedArrayBuffer) {
    return truncate(Buffer.from(object).toString('base64'), limits.maxStringLength)
  }
  if (object instanceof Map) {
    const result: Record<string, Json> = {}
    let count = 0
    for (const [key, v] of object) {
      if (count++ >= limits.maxObjectKeys) { result['...'] = `${object.size - limits.maxObjectKeys} more keys`; break }
      const converted = next(v)
      if (converted !== undefined) result[mapKey(key)] = converted
    }
    return result
  }
  if (object instanceof Set) return convertItems([...object], object.size, limits, next)
  if (object instanceof RegExp) return object.toString()
  if (object instanceof WeakMap || object instanceof WeakSet || object instanceof Promise) {
    return `[${object.constructor.name}]`
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(object)
    // toJSON returning the object itself (or another object) is converted, not trusted.
    return replaced === object ? convertPlain(object, limits, next) : next(replaced)
  }
  return convertPlain(object, limits, next)
}

function convertItems (items: ArrayLike<unknown>, length: number, limits: SafeJsonLimits, next: (v: unknown) => Json | undefined): Json[] {
  const n = Math.min(length, limits.maxArrayLength)
  const result: Json[] = new Array(n)
  for (let i = 0; i < n; i++) {
    let item: Json | undefined
    try {
      item = next(items[i])
    } catch (err) {
      item = `[Getter threw: ${describeError(err)}]`
    }
    result[i] = item === undefined ? null : item
  }
  if (length > n) result.push(`[... ${length - n} more items]`)
  return result
}

function convertPlain (object: object, limits: SafeJsonLimits, next: (v: unknown) => Json | undefined): Record<string, Json> {
  const result: Record<string, Json> = {}
  const keys = Object.keys(object)
  const n = Math.min(keys.length, limits.maxObjectKeys)
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string
    let converted: Json | undefined
    try {
      converted = next((object as Record<string, unknown>)[key])
    } catch (err) {
      converted = `[Getter threw: ${describeError(err)}]`
    }
    if (converted !== undefined) result[key] = converted
  }
  if (keys.length > n) result['...'] = `${keys.length - n} more keys`
  return result
}

function convertError (err: Error, limits: SafeJsonLimits, next: (v: unknown) => Json | undefined): Record<string, Json> {
  const result: Record<string, Json> = { type: errorTypeName(err) }
  const read = (key: string): unknown => {
    try { return (err as unknown as Record<string, unknown>)[key] } catch (e) { return `[Getter threw: ${describeError(e)}]` }
  }
  const message = next(read('message'))
  if (message !== undefined) result.message = message
  const stack = next(read('stack'))
  if (stack !== undefined) result.stack = stack
  // Own enumerable properties (code, errno, statusCode...) carry the useful details.
  for (const [key, converted] of Object.entries(convertPlain(err, limits, next))) {
    if (!(key in result)) result[key] = converted
  }
  if (err.cause !== undefined && !('cause' in result)) {
    const cause = next(read('cause'))
    if (cause !== undefined) result.cause = cause
  }
  if (err instanceof AggregateError && Array.isArray(err.errors) && !('errors' in result)) {
    const errors = next(err.errors)
    if (errors !== undefined) result.errors = errors
  }
  return result
}

function mapKey (key: unknown): string {
  if (typeof key === 'string') return key
  if (typeof key === 'object' && key !== null) return `[${errorTypeName(key)}]`
  return String(key)
}

export function truncate (value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max)}...[${value.length - max} more characters]`
}

/** The class name of an error or object (`TypeError`, `ValidationError`), never throwing. */
export function errorTypeName (value: unknown): string {
  try {
    if (value instanceof Error) {
      const ctorName = value.constructor?.name
      // `name` may be customised (`err.name = 'AbortError'`): prefer it over a generic class.
      return typeof value.name === 'string' && value.name !== 'Error' ? value.name : (ctorName ?? 'Error')
    }
    if (typeof value === 'object' && value !== null) return (value.constructor?.name ?? 'Object')
    return typeof value
  } catch {
    return 'Unknown'
  }
}

function describeError (err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  } catch {
    return 'unknown error'
  }
}
