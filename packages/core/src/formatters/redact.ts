import type { RequestContext } from '../context'

/** What a redacted header or field holds instead of its value. */
export const REDACTED = '[REDACTED]'

/** Credentials in headers: written as `[REDACTED]` whenever they are listed, whatever `redact` says. */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = Object.freeze(['authorization', 'proxy-authorization', 'cookie', 'set-cookie'])

type HeaderSource = Readonly<Record<string, string | number | string[] | undefined>>

/**
 * The `redact` rules of a formatter. Each name applies to a header of that name
 * (case-insensitive) and to the field at that dotted path, in the record's fields as the
 * application wrote them (`card.number` matches a `card.number` key and `{ card: { number } }`
 * alike) and in the event the formatter writes (`url.query`, `req_remote_address`). A `*`
 * segment matches any key. Redacting copies: the caller's objects are never changed.
 */
export class Redactor {
  readonly #headers: ReadonlySet<string>
  readonly #paths: readonly (readonly string[])[]
  readonly #names: ReadonlySet<string>

  constructor (names: readonly string[] = []) {
    this.#headers = new Set([...ALWAYS_REDACTED_HEADERS, ...names.map((n) => n.toLowerCase())])
    this.#paths = names.filter((n) => n !== '').map((n) => n.split('.'))
    this.#names = new Set(names)
  }

  /** True when some field path is to be redacted: without any, `fields()` costs nothing. */
  get hasPaths (): boolean { return this.#paths.length > 0 }

  /** True when `path` (dotted, as written in the event) is redacted by name. */
  has (path: string): boolean { return this.#names.has(path) }

  /** True when the header (any case) is redacted. */
  isRedactedHeader (name: string): boolean { return this.#headers.has(name.toLowerCase()) }

  /**
   * `fields` with every redacted path holding `[REDACTED]`: the same object when nothing
   * matched, else a copy of the parts on the way to a match. Never throws.
   */
  fields<T extends object> (fields: T): T {
    let result = fields
    for (const path of this.#paths) result = redactPath(result, path, 0)
    return result
  }

  /**
   * The listed headers present in `source`, by their lower-case names, redacted as the
   * rules say; `undefined` when none is present.
   */
  pickHeaders (source: HeaderSource | undefined, names: readonly string[]): Record<string, unknown> | undefined {
    if (source === undefined || names.length === 0) return undefined
    let picked: Record<string, unknown> | undefined
    for (const name of names) {
      let value: unknown
      try { value = source[name] } catch { continue }
      if (value === undefined) continue
      (picked ??= {})[name] = this.#headers.has(name) ? REDACTED : value
    }
    return picked
  }
}

/** The headers a formatter writes, for the `headers` option: lower case, no duplicates. */
export function normalizeHeaderNames (names: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(names.map((n) => n.toLowerCase()))])
}

/** Request and response headers listed in `names`, redacted; `undefined` when there are none. */
export function requestHeaders (context: RequestContext, names: readonly string[], redactor: Redactor): { request?: Record<string, unknown>, response?: Record<string, unknown> } | undefined {
  if (names.length === 0) return undefined
  const request = redactor.pickHeaders(context.headers, names)
  const response = redactor.pickHeaders(context.responseHeaders, names)
  if (request === undefined && response === undefined) return undefined
  return { ...(request === undefined ? {} : { request }), ...(response === undefined ? {} : { response }) }
}

// Tries every way the remaining segments can be spelled: `a.b.c` may be one key, `a` then
// `b.c`, `a.b` then `c`... so dotted and nested spellings of the same path all match.
function redactPath<T> (target: T, path: readonly string[], from: number): T {
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return target
  let result = target
  try {
    for (let end = from + 1; end <= path.length; end++) {
      const wanted = path.slice(from, end).join('.')
      const keys = wanted === '*' ? Object.keys(result) : (Object.hasOwn(result, wanted) ? [wanted] : [])
      for (const key of keys) {
        const current = (result as Record<string, unknown>)[key]
        const replaced = end === path.length ? REDACTED : redactPath(current, path, end)
        if (replaced !== current) result = { ...result, [key]: replaced }
      }
    }
  } catch {
    // A throwing getter or a hostile Proxy: what was redacted so far is kept.
  }
  return result
}
