import type { IncomingMessage } from 'node:http'
import { RequestLifecycle } from '@logstash-async/core/adapter'

// The route Express assigned, kept under a symbol and read by accessors shared by every
// request (no closures per request: see bind-emitter.ts).
const kRoute = Symbol('@logstash-async/express.route')

interface RoutedRequest extends IncomingMessage {
  baseUrl?: string
  route?: unknown
  [kRoute]?: unknown
}

/**
 * Keeps the request context's `route` equal to the matched route's full pattern
 * (`/orders/:id`). Express assigns `req.route` when it dispatches to a route; at that moment
 * `req.baseUrl` is the mount path of the router holding the route. Later, when an error
 * travels back out of the router, `baseUrl` is reset, so reading both at the end would lose
 * the mount path: hence a setter that records the pattern when Express assigns the route.
 */
export function trackRoute (req: IncomingMessage): void {
  const routed = req as RoutedRequest
  routed[kRoute] = routed.route
  Object.defineProperty(routed, 'route', { configurable: true, enumerable: true, get: getRoute, set: setRoute })
}

function getRoute (this: RoutedRequest): unknown {
  return this[kRoute]
}

function setRoute (this: RoutedRequest, value: unknown): void {
  this[kRoute] = value
  const pattern = routePattern(this.baseUrl, value)
  const lifecycle = RequestLifecycle.of(this)
  if (pattern !== undefined && lifecycle !== undefined) lifecycle.context.route = pattern
}

/** The mount path joined with the route's own path; arrays and regular expressions as text. */
export function routePattern (baseUrl: unknown, route: unknown): string | undefined {
  try {
    const path = (route as { path?: unknown } | null | undefined)?.path
    if (path === undefined || path === null) return undefined
    const own = Array.isArray(path) ? path.map(String).join('|') : String(path)
    const base = typeof baseUrl === 'string' ? baseUrl : ''
    if (base === '') return own
    return own === '/' ? base : base + own
  } catch {
    return undefined
  }
}
