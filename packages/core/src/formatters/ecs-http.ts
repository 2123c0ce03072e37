import type { RequestContext } from '../context'
import type { AccessInfo } from '../record'
import type { Tree } from './ecs-fields'
import { REDACTED, requestHeaders, type Redactor } from './redact'
import { absoluteUrl, splitUrl } from './request-url'

/** How the request fields are written: which headers, and what is redacted. */
export interface EcsHttpOptions {
  headers: readonly string[]
  redactor: Redactor
  /** `url.query` is redacted: the query also leaves `url.original` and `url.full`. */
  redactQuery: boolean
}

/**
 * The ECS fields of the request being served, into `tree` (fresh objects only). Only facts
 * the adapter knows are written.
 * https://www.elastic.co/guide/en/ecs/8.11/ecs-http.html, ecs-url.html, ecs-client.html
 */
export function ecsRequestFields (context: RequestContext, tree: Tree, options: EcsHttpOptions): void {
  const request: Tree = { id: context.id }
  if (context.method !== undefined) request.method = context.method
  if (context.referer !== undefined) request.referrer = context.referer
  const contentLength = requestContentLength(context)
  if (contentLength !== undefined) request.body = { bytes: contentLength }
  const http: Tree = { request }
  if (context.statusCode !== undefined) http.response = { status_code: context.statusCode }
  if (context.httpVersion !== undefined) http.version = context.httpVersion
  const headers = requestHeaders(context, options.headers, options.redactor)
  if (headers?.request !== undefined) request.headers = headers.request
  if (headers?.response !== undefined) ((http.response ??= {}) as Tree).headers = headers.response
  tree.http = http

  const url = urlFields(context, options.redactQuery)
  if (url !== undefined) tree.url = url

  if (context.ip !== undefined || context.remotePort !== undefined) {
    const client: Tree = {}
    // ECS: the raw address goes in `.address`, and is copied to `.ip` when it is one.
    if (context.ip !== undefined) { client.address = context.ip; client.ip = context.ip }
    if (context.remotePort !== undefined) client.port = context.remotePort
    tree.client = client
  }
  if (context.userAgent !== undefined) tree.user_agent = { original: context.userAgent }
  if (context.user !== undefined) tree.user = { name: context.user }
}

function urlFields (context: RequestContext, redactQuery: boolean): Tree | undefined {
  const url: Tree = {}
  const original = context.url
  if (original !== undefined) {
    const parts = splitUrl(original)
    const shown = redactQuery && parts.query !== undefined
      ? `${parts.path}?${REDACTED}${parts.fragment === undefined ? '' : '#' + parts.fragment}`
      : original
    url.original = shown
    url.path = context.path ?? parts.path
    if (parts.query !== undefined) url.query = parts.query
    if (parts.fragment !== undefined) url.fragment = parts.fragment
    const full = absoluteUrl(context, shown)
    if (full !== undefined && full !== shown) url.full = full
  }
  // `url.domain` is the Host the client asked for (python-logstash-async wrongly calls it client.domain).
  if (context.host !== undefined) url.domain = context.host
  if (context.port !== undefined) url.port = context.port
  if (context.protocol !== undefined) url.scheme = context.protocol
  return Object.keys(url).length === 0 ? undefined : url
}

function requestContentLength (context: RequestContext): number | undefined {
  const header = context.headers?.['content-length']
  if (typeof header !== 'string' || !/^\d+$/.test(header)) return undefined
  return Number(header)
}

/**
 * The fields of an access event: status, body sizes, duration in nanoseconds (ECS
 * `event.duration`), and the web access categorisation Kibana filters on.
 * https://www.elastic.co/guide/en/ecs/8.11/ecs-event.html
 */
export function ecsAccessFields (access: AccessInfo, tree: Tree): void {
  const http = (tree.http ??= {}) as Tree
  if (access.statusCode !== undefined) {
    http.response = { ...(http.response as Tree | undefined), status_code: access.statusCode }
  }
  if (access.responseBytes !== undefined) {
    const response = { ...(http.response as Tree | undefined) }
    response.body = { bytes: access.responseBytes }
    http.response = response
  }
  if (access.requestBytes !== undefined) {
    http.request = { ...(http.request as Tree | undefined), body: { bytes: access.requestBytes } }
  }
  const event: Tree = {
    kind: 'event',
    category: ['web'],
    type: ['access'],
    duration: Math.round(access.durationMs * 1e6),
    outcome: access.aborted === true ? 'unknown' : (access.statusCode !== undefined && access.statusCode >= 500 ? 'failure' : 'success')
  }
  tree.event = event
}
