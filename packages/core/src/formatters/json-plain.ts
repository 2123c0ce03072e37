import type { SafeJsonLimits } from './limits'

/**
 * True when `JSON.stringify(value)` already gives the right event: only strings, numbers,
 * booleans, null, undefined, Dates and plain objects and arrays, within the limits.
 * Reads every property once more than `toJsonSafe`, so the formatters no longer use it.
 * May throw (a throwing getter).
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
