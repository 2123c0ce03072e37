import type { RequestContext } from '../context'
import type { AccessInfo } from '../record'
import { requestHeaders, type Redactor } from './redact'
import { absoluteUrl } from './request-url'

/**
 * The request fields python-logstash-async's Django and Flask formatters add, read from
 * the active request context, plus the listed headers as `req_headers` / `resp_headers`.
 * Only facts the adapter knows are written.
 */
export function logstashRequestFields (context: RequestContext, target: Record<string, unknown>, headers: readonly string[], redactor: Redactor): void {
  if (context.method !== undefined) target.req_method = context.method
  const uri = absoluteUrl(context)
  if (uri !== undefined) target.req_uri = uri
  if (context.route !== undefined) target.req_route = context.route
  if (context.host !== undefined) target.req_host = context.host
  if (context.ip !== undefined) target.req_remote_address = context.ip
  if (context.userAgent !== undefined) target.req_useragent = context.userAgent
  if (context.referer !== undefined) target.req_referer = context.referer
  if (context.user !== undefined) target.req_user = context.user
  if (context.forwardedProto !== undefined) target.req_forwarded_proto = context.forwardedProto
  if (context.forwardedFor !== undefined) target.req_forwarded_for = context.forwardedFor
  target.request_id = context.id
  if (context.statusCode !== undefined) target.status_code = context.statusCode
  if (context.framework !== undefined) target[`${context.framework.name}_version`] = context.framework.version
  const listed = requestHeaders(context, headers, redactor)
  if (listed?.request !== undefined) target.req_headers = listed.request
  if (listed?.response !== undefined) target.resp_headers = listed.response
}

/** The fields of an access event: what Django's and Flask's request logs carry, in milliseconds. */
export function logstashAccessFields (access: AccessInfo, target: Record<string, unknown>): void {
  if (access.statusCode !== undefined) target.status_code = access.statusCode
  target.duration_ms = Math.round(access.durationMs * 1000) / 1000
  if (access.requestBytes !== undefined) target.request_bytes = access.requestBytes
  if (access.responseBytes !== undefined) target.response_bytes = access.responseBytes
  if (access.aborted !== undefined) target.aborted = access.aborted
}
