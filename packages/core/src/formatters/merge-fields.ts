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
    let merged: Fields = {}
    try { merged = { ...base } } catch { /* base unreadable: over alone */ }
    try {
      for (const key of Object.keys(over)) {
        try {
          merged[key] = over[key]
        } catch (err) {
          merged[key] = `[Getter threw: ${describeError(err)}]`
        }
      }
    } catch (err) {
      // Not even the keys can be listed: what base had, and a marker for the rest.
      merged.field_fields = `[Unserializable: ${describeError(err)}]`
    }
    return merged
  }
}
