import type { RequestContext } from '../context'

interface Kept {
  readonly owner: RequestParts<unknown>
  /** What else the part was made for (the EcsFormatter's: the logger). */
  readonly key: unknown
  /** The context's values when `part` was made (a shallow copy). */
  readonly seen: RequestContext
  readonly part: unknown
}

// The slot, on a context that lives for a whole request, where a formatter keeps its part.
// Not enumerable: the context stays as it was to anyone who prints or copies it.
const kKept = Symbol('@logstash-async/core.requestPart')
type WithSlot = RequestContext & { [kKept]?: Kept | null }

/**
 * Gives `context` a slot for what a formatter makes of it: for the contexts adapters make,
 * one per request and many events each. A context made for one event (from a pino or
 * winston line) goes without: keeping a part for it would only cost.
 */
export function keepRequestParts (context: RequestContext): void {
  Object.defineProperty(context, kKept, { value: null, writable: true })
}

/**
 * Keeps what a formatter made of a request context (a part of its events) while the context
 * holds the same values. Every event logged during a request carries the same request fields;
 * building them and writing them as JSON cost more than the rest of an event (1.2 of 2.1 us
 * with LogstashFormatter, 1.8 of 3.1 with EcsFormatter), comparing the context's values a few
 * dozen nanoseconds. The part is kept on the context itself (a slot made by
 * `keepRequestParts`), not in a WeakMap: there, an entry per context cost the garbage
 * collector about 1 us (measured with a new context for every event).
 *
 * A value is compared by identity: adapters replace a value (a route once matched, the
 * status once known) and never change one in place, as RequestContext says. The context's
 * `fields` are not compared: the formatter writes them for every event. One formatter's part
 * at a time: two handlers formatting the same request make theirs in turn.
 */
export class RequestParts<Part> {
  readonly #make: (context: RequestContext, key: unknown) => Part

  constructor (make: (context: RequestContext, key: unknown) => Part) {
    this.#make = make
  }

  /**
   * The part for `context` as it is now, and `key` (what else it depends on, compared by
   * identity); `undefined` for a context without a slot. Throws what `make` throws.
   */
  get (context: RequestContext, key?: unknown): Part | undefined {
    const kept = (context as WithSlot)[kKept]
    if (kept === undefined) return undefined
    if (kept !== null && kept.owner === this && kept.key === key && sameValues(kept.seen, context)) return kept.part as Part
    const seen = { ...context }
    const part = this.#make(context, key);
    (context as WithSlot)[kKept] = { owner: this, key, seen, part }
    return part
  }
}

// Every field of RequestContext but `fields` (test/formatters/request-json.test.ts checks that
// a change of each one is seen). Named accesses: one shape, fast, unlike a loop over keys.
function sameValues (a: RequestContext, b: RequestContext): boolean {
  return a.id === b.id && a.method === b.method && a.url === b.url && a.path === b.path &&
    a.route === b.route && a.protocol === b.protocol && a.host === b.host && a.port === b.port &&
    a.ip === b.ip && a.remotePort === b.remotePort && a.userAgent === b.userAgent &&
    a.referer === b.referer && a.forwardedProto === b.forwardedProto && a.forwardedFor === b.forwardedFor &&
    a.httpVersion === b.httpVersion && a.user === b.user && a.startTime === b.startTime &&
    a.statusCode === b.statusCode && a.headers === b.headers && a.responseHeaders === b.responseHeaders &&
    a.framework === b.framework
}
