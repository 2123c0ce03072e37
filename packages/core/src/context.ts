import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * What an adapter knows about the request being served. Formatters read it synchronously
 * inside `log()`; adapters fill it. Only `id` is required, every other field is optional
 * because not every framework knows every fact at every moment. A value is replaced, never
 * changed in place: formatters keep what they wrote for a request while its values are the
 * same ones (formatters/request-json.ts).
 */
export interface RequestContext {
  /** The request id: reused from a well-formed incoming header, or generated. */
  id: string
  method?: string
  /** The URL as received: path and query string. */
  url?: string
  /** The path without the query string. */
  path?: string
  /** The route pattern, such as `/orders/:id`, once the framework has matched it. */
  route?: string
  /** `http` or `https`, after the framework's trust-proxy decision. */
  protocol?: string
  /** Host name from the Host header (after trust-proxy), without the port. */
  host?: string
  /** Port from the Host header, when it names one. */
  port?: number
  /** Client address, after the framework's trust-proxy decision. */
  ip?: string
  /** Port of the client's connection. */
  remotePort?: number
  userAgent?: string
  referer?: string
  /** `X-Forwarded-Proto`, when present. */
  forwardedProto?: string
  /** `X-Forwarded-For`, split into addresses, when present. */
  forwardedFor?: string[]
  /** HTTP version as `1.1`, `2`. */
  httpVersion?: string
  /** The authenticated user's name or id, if the adapter can tell. */
  user?: string
  /** `performance.now()` when the request started. */
  startTime?: number
  /** The response status, once known. */
  statusCode?: number
  /** Request headers, for formatters that log a chosen few (never all). */
  headers?: Readonly<Record<string, string | string[] | undefined>>
  /** Response headers, once sent, for formatters that log a chosen few. */
  responseHeaders?: Readonly<Record<string, string | number | string[] | undefined>>
  /** The framework serving the request, for `express_version` and friends. */
  framework?: { name: string, version: string }
  /** Fields added with `requestContext.assign()`, attached to every event of the request. */
  fields?: Partial<RequestFields>
}

/**
 * The fields an application adds to its requests with `requestContext.assign()`. Any name
 * is accepted; declare yours to have their types checked, by declaration merging (as
 * `@fastify/request-context` does with `RequestContextData`):
 *
 * ```ts
 * declare module '@logstash-async/core' {
 *   interface RequestFields { tenant: string, plan: 'free' | 'pro' }
 * }
 * requestContext.assign({ tenant: 'acme' })   // checked: tenant must be a string
 * ```
 */
export interface RequestFields {
  [name: string]: unknown
}

// One store per process, even when two copies of this package are loaded (the dual-package
// hazard): adapters and handlers from different copies must still see the same context.
const STORE_KEY = Symbol.for('@logstash-async/core.requestContext')
type GlobalWithStore = typeof globalThis & { [STORE_KEY]?: AsyncLocalStorage<RequestContext> }
const globalWithStore = globalThis as GlobalWithStore
const storage: AsyncLocalStorage<RequestContext> =
  globalWithStore[STORE_KEY] ??= new AsyncLocalStorage<RequestContext>()

/** The per-request context, held in one `AsyncLocalStorage` owned by the core. */
export const requestContext = Object.freeze({
  /** Runs `fn` with `context` active for everything it calls and schedules. */
  run<T> (context: RequestContext, fn: () => T): T {
    return storage.run(context, fn)
  },

  /**
   * Makes `context` active for the rest of the current synchronous execution and what it
   * schedules. For frameworks whose hooks cannot wrap the request in `run()` (Fastify).
   */
  enterWith (context: RequestContext): void {
    storage.enterWith(context)
  },

  /** The active context, or `undefined` outside a request. */
  get (): RequestContext | undefined {
    return storage.getStore()
  },

  /**
   * Adds fields to every later event of the active request. Returns `false` (and does
   * nothing) outside a request. Declare the names you use in `RequestFields` to have
   * their types checked.
   */
  assign (fields: Partial<RequestFields>): boolean {
    const context = storage.getStore()
    if (context === undefined) return false
    context.fields = context.fields === undefined ? { ...fields } : { ...context.fields, ...fields }
    return true
  }
})

export type RequestContextStore = typeof requestContext
