import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '@logstash-async/core'

interface RoutedRequest extends IncomingMessage {
  baseUrl?: string
  route?: unknown
}

/**
 * Keeps `context.route` equal to the matched route's full pattern (`/orders/:id`). Express
 * assigns `req.route` when it dispatches to a route; at that moment `req.baseUrl` is the
 * mount path of the router holding the route. Later, when an error travels back out of the
 * router, `baseUrl` is reset, so reading both at the end would lose the mount path: hence a
 * setter that records the pattern when Express assigns the route.
 */
export function trackRoute (req: IncomingMessage, context: RequestContext): void {
  const routed = req as RoutedRequest
  let route = routed.route
  Object.defineProperty(routed, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value
      const pattern = routePattern(routed.baseUrl, value)
      if (pattern !== undefined) context.route = pattern
    }
  })
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
