import { errorMessage } from './formatters/fields'
import { jsonArgument, messageText } from './formatters/message'
import { mergeFields } from './formatters/merge-fields'
import type { Fields } from './record'

/** What the arguments of one log call say: the message, the fields and the error. */
export interface CallParts {
  message: string
  fields: Fields | undefined
  error: unknown
}

/**
 * True for an object that holds fields: a plain object, or an instance of a class of the
 * application's (a DTO); not an array, Error, Date, Map, Set, RegExp, Promise or binary
 * data, which are values to write. An object that cannot even be inspected (a revoked
 * Proxy) counts as fields: the formatter writes a marker for it. Never throws.
 */
export function isFieldsObject (value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null) return false
  try {
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) return true
    return !(Array.isArray(value) || value instanceof Error || value instanceof Date || value instanceof Map ||
      value instanceof Set || value instanceof RegExp || value instanceof Promise || ArrayBuffer.isView(value) ||
      value instanceof ArrayBuffer || value instanceof WeakMap || value instanceof WeakSet)
  } catch {
    return true
  }
}

/** `value instanceof Error`, false when even that cannot be asked (a revoked Proxy). */
function isError (value: unknown): value is Error {
  try {
    return value instanceof Error
  } catch {
    return false
  }
}

/**
 * Reads the forms a Node user writes, as pino and console do:
 * - `(message, ...args)`: printf-style `%s %d %i %f %j %o %O %%` in the message take the
 *   arguments after it in order;
 * - `(fields, message?, ...args)`: pino's order, fields first;
 * - `(error, message?, ...args)` and `(error, fields)`: the error first; its message is the
 *   event's message when none is given;
 * - any other first value is written as the message (`messageText`: never `[object Object]`).
 * What no placeholder took: a plain object last is the fields (merged over fields given
 * first), an Error is the error (when there is none yet), anything else is appended to the
 * message after a space, as `console.log` does (pino drops these).
 */
export function parseCall (args: readonly unknown[]): CallParts {
  let fields: Fields | undefined
  let error: unknown
  let next = 0
  const first = args[0]
  if (isError(first)) {
    error = first
    next = 1
  } else if (isFieldsObject(first)) {
    fields = first
    next = 1
  }

  let message: string | undefined
  let rest: readonly unknown[] = args.slice(next)
  const format = args[next]
  if (typeof format === 'string') {
    rest = args.slice(next + 1)
    if (rest.length > 0 && format.includes('%')) {
      const { text, used } = interpolate(format, rest)
      message = text
      rest = rest.slice(used)
    } else {
      message = format
    }
  } else if (next === 0 && args.length > 0) {
    // A value other than a string, an Error or fields, first: it is the message.
    message = format === undefined ? '' : messageText(format)
    rest = args.slice(1)
  }

  let appended = ''
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]
    if (i === rest.length - 1 && isFieldsObject(arg)) fields = fields === undefined ? arg : mergeFields(fields, arg)
    else if (error === undefined && isError(arg)) error = arg
    else appended += ' ' + argumentText(arg)
  }
  if (message === undefined) message = error === undefined ? '' : errorMessage(error)
  return { message: message === '' ? appended.slice(1) : message + appended, fields, error }
}

const S = 115 // s
const D = 100 // d
const I = 105 // i
const F = 102 // f
const J = 106 // j
const O_LOWER = 111 // o
const O_UPPER = 79 // O
const PERCENT = 37 // %

/**
 * Replaces the placeholders of `format` with `args`, in order, as pino (quick-format-unescaped)
 * does: `%s` text, `%d` and `%f` a number, `%i` an integer (rounded down), `%j`, `%o` and `%O`
 * JSON (a string in single quotes, a function by its name), `%%` a `%`. A placeholder
 * without an argument stays as written. Returns the text and how many arguments were used.
 */
export function interpolate (format: string, args: readonly unknown[]): { text: string, used: number } {
  let text = ''
  let last = 0
  let used = 0
  let at = format.indexOf('%')
  while (at !== -1 && at + 1 < format.length) {
    const code = format.charCodeAt(at + 1)
    let piece: string | undefined
    if (code === PERCENT) {
      piece = '%'
    } else if (used < args.length && (code === S || code === D || code === I || code === F || code === J || code === O_LOWER || code === O_UPPER)) {
      piece = placeholderText(code, args[used++])
    }
    if (piece === undefined) {
      at = format.indexOf('%', at + 1)
      continue
    }
    text += format.slice(last, at) + piece
    last = at + 2
    at = format.indexOf('%', last)
  }
  return { text: text + format.slice(last), used }
}

function placeholderText (code: number, arg: unknown): string {
  switch (code) {
    case S: return argumentText(arg)
    case D: case F: return numberText(arg, false)
    case I: return numberText(arg, true)
    default: return jsonArgument(arg)
  }
}

// Text of an argument for `%s` and for arguments appended to the message.
function argumentText (arg: unknown): string {
  return typeof arg === 'string' ? arg : messageText(arg)
}

function numberText (arg: unknown, integer: boolean): string {
  if (typeof arg === 'bigint') return String(arg)
  try {
    const n = Number(arg)
    return String(integer ? Math.floor(n) : n)
  } catch {
    // A Symbol, or an object whose valueOf throws.
    return 'NaN'
  }
}
