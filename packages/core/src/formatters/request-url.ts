import type { RequestContext } from '../context'

/**
 * The absolute URL of the request (`https://example.com:8443/orders?id=1`), as Django's
 * `get_raw_uri()` and Flask's `request.url` give it; the URL as received when the host is
 * unknown. The default port of the scheme is left out.
 */
export function absoluteUrl (context: RequestContext, url: string | undefined = context.url): string | undefined {
  if (url === undefined) return undefined
  if (context.host === undefined) return url
  const protocol = context.protocol ?? 'http'
  const defaultPort = protocol === 'https' ? 443 : 80
  const port = context.port === undefined || context.port === defaultPort ? '' : `:${context.port}`
  const host = context.host.includes(':') && !context.host.startsWith('[') ? `[${context.host}]` : context.host
  return `${protocol}://${host}${port}${url}`
}

/** The parts of a request target: `/a?b=1#c` → path `/a`, query `b=1`, fragment `c`. */
export interface UrlParts {
  path: string
  query?: string
  fragment?: string
}

/** Splits a request target into path, query and fragment, without `?` and `#`. */
export function splitUrl (url: string): UrlParts {
  const hash = url.indexOf('#')
  const beforeHash = hash === -1 ? url : url.slice(0, hash)
  const question = beforeHash.indexOf('?')
  const parts: UrlParts = { path: question === -1 ? beforeHash : beforeHash.slice(0, question) }
  if (question !== -1) parts.query = beforeHash.slice(question + 1)
  if (hash !== -1) parts.fragment = url.slice(hash + 1)
  return parts
}
