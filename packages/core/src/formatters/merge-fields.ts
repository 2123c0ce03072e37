import type { Fields } from '../record'
import { describeError } from './limits'

/**
 * `base` with the fields of `over` added (`over` winning), as a new object; neither is
 * changed. Never throws: when a throwing getter or a hostile Proxy makes the spread fail,
 * each field is read on its own, and one that cannot be read says so in its place.
 */
export function mergeFields (base: Fields | undefined, over: Fields): Fields {
  try {
    return { ...base, ...over }
  } catch {
    const merged: Fields = {}
    if (base !== undefined) copyEachField(base, merged)
    copyEachField(over, merged)
    return merged
  }
}

/**
 * The fields of `source`, each read once, in an object of the formatter's own (one spread;
 * key by key, with markers, when a getter or a Proxy throws). A `source` that is not an
 * object (from an untyped caller) is kept as `field_fields`.
 */
export function readFields (source: Fields): Record<string, unknown> {
  if (typeof source !== 'object' || source === null) return { field_fields: source }
  try {
    return { ...source }
  } catch {
    const copy: Record<string, unknown> = {}
    copyEachField(source, copy)
    return copy
  }
}

/** Copies the fields of `source` one by one into `target`; a field that cannot be read becomes a marker. */
function copyEachField (source: Fields, target: Fields): void {
  let keys: string[]
  try {
    keys = Object.keys(source)
  } catch (err) {
    target.field_fields = `[Unserializable: ${describeError(err)}]`
    return
  }
  for (const key of keys) {
    let value: unknown
    try {
      value = source[key]
    } catch (err) {
      value = `[Getter threw: ${describeError(err)}]`
    }
    if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
    else target[key] = value
  }
}
