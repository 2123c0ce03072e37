import { toJsonSafe } from './json-safe'
import { DEFAULT_LIMITS, describeError, truncate } from './limits'

/**
 * The text of any value used as a message, never `[object Object]` and never throwing:
 * a string as it is, a number, boolean, BigInt, Symbol, `null` or `undefined` by its
 * `String()`, an Error as `Type: message`, a Date as its ISO time, any other object as its
 * JSON (made safe: cycles, BigInt and throwing getters are marked, not fatal). Cut to the
 * string limit every value of an event follows.
 */
export function messageText (value: unknown): string {
  if (typeof value === 'string') return truncate(value, DEFAULT_LIMITS.maxStringLength)
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? functionText(value) : String(value)
  try {
    if (value instanceof Error) return truncate(describeError(value), DEFAULT_LIMITS.maxStringLength)
  } catch (err) {
    // A revoked Proxy cannot even be asked what it is.
    return `[Unserializable: ${describeError(err)}]`
  }
  return jsonText(value, false)
}

/**
 * A value as `%j`, `%o` and `%O` write it, as pino does: JSON (made safe), a string in
 * single quotes, a function by its name.
 */
export function jsonArgument (value: unknown): string {
  if (typeof value === 'string') return `'${truncate(value, DEFAULT_LIMITS.maxStringLength)}'`
  if (typeof value === 'function') return functionText(value)
  return jsonText(value, true)
}

/** What went wrong, for `format_error`: an error's message, or the text of a thrown value. */
export function problemText (err: unknown): string {
  try {
    return err instanceof Error ? truncate(String(err.message), DEFAULT_LIMITS.maxStringLength) : messageText(err)
  } catch {
    return 'unknown'
  }
}

// A value whose safe copy is a string (a Date, a Symbol, a marker) is written unquoted
// as a message, and quoted as JSON.
function jsonText (value: unknown, quoted: boolean): string {
  try {
    const safe = toJsonSafe(value)
    if (safe === undefined) return 'undefined'
    if (typeof safe === 'string' && !quoted) return safe
    return truncate(JSON.stringify(safe), DEFAULT_LIMITS.maxStringLength)
  } catch (err) {
    return `[Unserializable: ${describeError(err)}]`
  }
}

function functionText (fn: Function): string {
  try {
    return typeof fn.name === 'string' && fn.name !== '' ? fn.name : '<anonymous>'
  } catch {
    return '<anonymous>'
  }
}
