import type { Fields } from '../record'
import { describeError } from './json-safe'

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

/** Copies the fields of `source` one by one into `target`; a field that cannot be read becomes a marker. */
export function copyEachField (source: Fields, target: Fields): void {
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
