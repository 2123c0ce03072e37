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

/**
 * The limits every value of an event is written within. `maxStringLength` is the one
 * length rule for every string an event carries: the message, the error's message and
 * stack, field values, and what a `toJSON()` returns.
 */
export const DEFAULT_LIMITS: Readonly<SafeJsonLimits> = Object.freeze({
  maxDepth: 10,
  maxArrayLength: 1000,
  maxObjectKeys: 1000,
  maxStringLength: 100_000
})

/**
 * `value` cut to `max` characters with a note of how many were left out; never splits a
 * surrogate pair (half of one would be written as an escaped lone surrogate).
 */
export function truncate (value: string, max: number): string {
  if (value.length <= max) return value
  let end = max
  const last = value.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${value.slice(0, end)}...[${value.length - end} more characters]`
}

/** The class name of an error or object (`TypeError`, `ValidationError`), never throwing. */
export function errorTypeName (value: unknown): string {
  try {
    if (value instanceof Error) {
      const ctorName = value.constructor?.name
      const name = value.name
      // `name` may be customised (`err.name = 'AbortError'`): prefer it over a generic class.
      return typeof name === 'string' && name !== 'Error' && name !== '' ? name : (typeof ctorName === 'string' && ctorName !== '' ? ctorName : 'Error')
    }
    if (typeof value === 'object' && value !== null) {
      const ctorName = value.constructor?.name
      return typeof ctorName === 'string' && ctorName !== '' ? ctorName : 'Object'
    }
    return typeof value
  } catch {
    return 'Unknown'
  }
}

/** `Type: message` of a thrown value, for markers; never throws. */
export function describeError (err: unknown): string {
  try {
    const text = err instanceof Error ? `${errorTypeName(err)}: ${String(err.message)}` : String(err)
    return truncate(text, DEFAULT_LIMITS.maxStringLength)
  } catch {
    return 'unknown error'
  }
}
