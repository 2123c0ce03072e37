import type { RequestContext } from '../context'
import type { AccessInfo } from '../record'
import { CLIENT_CLOSED_REQUEST } from './access'
import { contentLength } from './content-length'
import { splitHost } from './incoming'

/*
 * Requests and responses as other loggers write them into a line: pino-http's and
 * pino-std-serializers' `{ id, method, url, headers, remoteAddress, remotePort }`, Fastify's
 * `{ method, url, host, remoteAddress, remotePort }`, express-winston's
 * `{ method, url, originalUrl, headers, httpVersion, query }`; responses as `{ statusCode,
 * headers }`. The bridges for those loggers turn them into the request context and access
 * facts our formatters already write, so their access lines read like our adapters' own.
 */

type Serialized = Record<string, unknown>

// The keys of a serialized request that become context facts; any other key stays a field.
const REQUEST_KEYS = new Set(['id', 'method', 'url', 'originalUrl', 'headers', 'remoteAddress', 'remotePort', 'host', 'hostname', 'httpVersion', 'query', 'params'])

/** True for an object with the request line of a serialized request: a `method` and a `url` (or `originalUrl`). */
export function isSerializedRequest (value: unknown): value is Serialized {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const req = value as Serialized
  return typeof req.method === 'string' && (typeof req.url === 'string' || typeof req.originalUrl === 'string')
}

/** True for an object with the `statusCode` key of a serialized response (null before the headers were sent). */
export function isSerializedResponse (value: unknown): value is Serialized {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const status = (value as Serialized).statusCode
  return typeof status === 'number' || status === null
}

/**
 * The request context a serialized request describes. `id` is the request id when known
 * (the line's own, a number becomes a string); without one the event has no `request_id`.
 * Returns the context and the request's keys that are not context facts (a custom
 * serializer's additions), to be kept as a field.
 */
export function contextFromSerializedRequest (req: Serialized, id: string | undefined): { context: RequestContext, rest: Serialized | undefined } {
  const url = stringOf(req.originalUrl) ?? stringOf(req.url) ?? '/'
  const query = url.indexOf('?')
  // A context without an id writes no request id: JSON leaves an undefined value out.
  const context: RequestContext = { id: id as string, method: req.method as string, url, path: query === -1 ? url : url.slice(0, query) }
  const headers = typeof req.headers === 'object' && req.headers !== null ? req.headers as Record<string, string | string[] | undefined> : undefined
  if (headers !== undefined) {
    context.headers = headers
    const userAgent = headers['user-agent']
    if (typeof userAgent === 'string') context.userAgent = userAgent
    const referer = headers.referer ?? headers.referrer
    if (typeof referer === 'string') context.referer = referer
    const forwardedProto = headers['x-forwarded-proto']
    if (typeof forwardedProto === 'string') context.forwardedProto = forwardedProto
    const forwardedFor = headers['x-forwarded-for']
    if (typeof forwardedFor === 'string') context.forwardedFor = forwardedFor.split(',').map((a) => a.trim()).filter((a) => a !== '')
  }
  const hostHeader = stringOf(req.host) ?? stringOf(req.hostname) ?? stringOf(headers?.host)
  if (hostHeader !== undefined) {
    const { host, port } = splitHost(hostHeader)
    context.host = host
    if (port !== undefined) context.port = port
  }
  const ip = stringOf(req.remoteAddress)
  if (ip !== undefined) context.ip = ip
  if (typeof req.remotePort === 'number') context.remotePort = req.remotePort
  const httpVersion = stringOf(req.httpVersion)
  if (httpVersion !== undefined) context.httpVersion = httpVersion
  let rest: Serialized | undefined
  for (const key in req) {
    if (REQUEST_KEYS.has(key)) continue
    (rest ??= {})[key] = req[key]
  }
  return { context, rest }
}

/**
 * The access facts of a response line: its status (499 and aborted when the response had no
 * status yet: the client left first), the duration, and the body sizes from the
 * Content-Length headers when the line carries them.
 */
export function accessFromSerialized (res: Serialized, durationMs: number, req: Serialized | undefined, aborted: boolean): AccessInfo {
  const status = typeof res.statusCode === 'number' ? res.statusCode : undefined
  const access: AccessInfo = {
    durationMs: Number.isFinite(durationMs) && durationMs >= 0 ? durationMs : 0,
    statusCode: status ?? CLIENT_CLOSED_REQUEST,
    aborted: aborted || status === undefined
  }
  const responseBytes = contentLength(headerOf(res.headers, 'content-length'))
  if (responseBytes !== undefined && !access.aborted) access.responseBytes = responseBytes
  const requestBytes = contentLength(headerOf(req?.headers, 'content-length'))
  if (requestBytes !== undefined) access.requestBytes = requestBytes
  return access
}

function headerOf (headers: unknown, name: string): string | number | string[] | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined
  const value = (headers as Record<string, unknown>)[name]
  return typeof value === 'string' || typeof value === 'number' || Array.isArray(value) ? value as string | number | string[] : undefined
}

function stringOf (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}
