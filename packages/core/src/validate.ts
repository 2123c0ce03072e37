import { ConfigurationError } from './errors'

/** How a wrong value is shown in a configuration error: `"80a"`, `-1`, `an object`. */
export function describeValue (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
}

export function fail (name: string, expected: string, value: unknown): never {
  throw new ConfigurationError(`${name} must be ${expected}, got ${describeValue(value)}`)
}

export function checkInteger (name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`
    fail(name, `an integer ${range}`, value)
  }
  return value
}

export function checkBoolean (name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(name, 'true or false', value)
  return value
}

export function checkString (name: string, value: unknown, { allowEmpty = false } = {}): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    fail(name, allowEmpty ? 'a string' : 'a non-empty string', value)
  }
  return value
}

/** A frozen copy of an array of strings. */
export function checkStringArray (name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(name, 'an array of strings', value)
  return Object.freeze([...value as string[]])
}

export function checkOneOf<T extends string> (name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    fail(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value)
  }
  return value as T
}

export function checkFunction<T> (name: string, value: unknown): T {
  if (typeof value !== 'function') fail(name, 'a function', value)
  return value as T
}

export function checkPlainObject (name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(name, 'an object', value)
  return value as Record<string, unknown>
}

/** True when `value` has every method in `methods`: how a user's Transport or Cache is recognised. */
export function hasMethods (value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return methods.every((m) => typeof record[m] === 'function')
}

/**
 * Soft misconfiguration (an unknown option, most likely a typo) is a warning, not an error,
 * so an option added in a later release does not break an older one.
 */
export function warnUnknownKeys (where: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue
    const hint = closest(key, known)
    process.emitWarning(`${where}: unknown option '${key}'${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`,
      { code: 'LOGSTASH_UNKNOWN_OPTION' })
  }
}

function closest (key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = 4
  for (const candidate of known) {
    const c = candidate.toLowerCase()
    if (c.startsWith(lower) || lower.startsWith(c)) return candidate
    const d = editDistance(lower, c)
    if (d < bestDistance) { best = candidate; bestDistance = d }
  }
  return best
}

function editDistance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
