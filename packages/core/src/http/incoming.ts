import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../context'
import { keepRequestParts } from '../formatters/request-json'

export interface IncomingContextOptions {
  /** The request id (see `resolveRequestId`, or the framework's own). */
  id: string
  /** Client address after the framework's trust-proxy decision. @default the socket's address */
  ip?: string | undefined
  /** `http`/`https` after the framework's trust-proxy decision. @default from the socket */
  protocol?: string | undefined
  /** Host name after the framework's trust-proxy decision. @default from the Host header */
  host?: string | undefined
  /**
   * The URL as the client sent it, where the framework shows a shorter one in `req.url`
   * (Express's `originalUrl` under a mount path). @default `req.url`
   */
  url?: string | undefined
  /** The route pattern, if already matched. */
  route?: string | undefined
  /** `{ name: 'express', version: '5.1.0' }`, for `express_version` and friends. */
  framework?: { name: string, version: string } | undefined
  /** `performance.now()` at the start of the request. @default now */
  startTime?: number | undefined
}

/**
 * A request context from Node's `IncomingMessage`: what every adapter knows at the start
 * of a request. Frameworks pass their own trust-proxy answers (`ip`, `protocol`, `host`).
 */
export function contextFromIncoming (req: IncomingMessage, options: IncomingContextOptions): RequestContext {
  const headers = req.headers
  const url = typeof options.url === 'string' && options.url !== '' ? options.url : req.url ?? '/'
  const query = url.indexOf('?')
  const context: RequestContext = {
    id: options.id,
    method: req.method ?? 'GET',
    url,
    path: query === -1 ? url : url.slice(0, query),
    protocol: options.protocol ?? ((req.socket as { encrypted?: boolean } | undefined)?.encrypted === true ? 'https' : 'http'),
    httpVersion: req.httpVersion,
    startTime: options.startTime ?? performance.now(),
    headers
  }
  const hostHeader = options.host ?? headers.host ?? (headers[':authority'] as string | undefined)
  if (hostHeader !== undefined) {
    const { host, port } = splitHost(hostHeader)
    context.host = host
    if (port !== undefined) context.port = port
  }
  const ip = options.ip ?? req.socket?.remoteAddress
  if (ip !== undefined) context.ip = ip
  const remotePort = req.socket?.remotePort
  if (remotePort !== undefined) context.remotePort = remotePort
  const userAgent = headers['user-agent']
  if (userAgent !== undefined) context.userAgent = userAgent
  const referer = headers.referer ?? (headers.referrer as string | undefined)
  if (referer !== undefined) context.referer = referer
  const forwardedProto = headers['x-forwarded-proto']
  if (typeof forwardedProto === 'string') context.forwardedProto = forwardedProto
  const forwardedFor = headers['x-forwarded-for']
  if (typeof forwardedFor === 'string') context.forwardedFor = forwardedFor.split(',').map((a) => a.trim()).filter((a) => a !== '')
  if (options.route !== undefined) context.route = options.route
  if (options.framework !== undefined) context.framework = options.framework
  keepRequestParts(context)
  return context
}

/** `example.com:8080` → host and port; `[::1]:3000` → `::1` and 3000. */
export function splitHost (value: string): { host: string, port?: number } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.trim())
  if (match === null) return { host: value }
  const host = (match[1] as string).replace(/^\[|\]$/g, '')
  return match[2] === undefined ? { host } : { host, port: Number(match[2]) }
}
