import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { logAccess, requestContext, type RequestContext } from '@logstash-async/core'
import { isAccessSkipped } from '@logstash-async/core/internal'
import type { MiddlewareSettings } from './options'

/**
 * Status of a request whose client went away before a response was sent: nginx's
 * "client closed request". The status the application set was never seen by anyone, and
 * a 200 would count the request as a success on every dashboard.
 */
export const CLIENT_CLOSED_REQUEST = 499

/**
 * Logs the request's one access event when the response is finished or, if the client
 * aborts first, when the response is closed. Never throws.
 */
export function logAccessOnEnd (req: IncomingMessage, res: ServerResponse, context: RequestContext, settings: MiddlewareSettings): void {
  let done = false
  const end = (): void => {
    if (done) return
    done = true
    const endTime = performance.now()
    // 'close' without a finished response: the client went away (or the socket died).
    const aborted = !res.writableFinished
    requestContext.run(context, () => logAccessEvent(req, res, context, settings, aborted, endTime))
  }
  res.once('finish', end)
  res.once('close', end)
}

function logAccessEvent (req: IncomingMessage, res: ServerResponse, context: RequestContext, settings: MiddlewareSettings, aborted: boolean, endTime: number): void {
  try {
    if (isAccessSkipped(settings.skip, req, res)) return
    const statusCode = aborted && !res.headersSent ? CLIENT_CLOSED_REQUEST : res.statusCode
    if (res.headersSent) context.responseHeaders = res.getHeaders()
    logAccess(settings.sink, context, {
      statusCode,
      aborted,
      responseBytes: aborted ? undefined : byteCount(res.getHeader('content-length')),
      requestBytes: byteCount(req.headers['content-length']),
      level: settings.accessLevel,
      logger: settings.loggerName,
      endTime
    })
  } catch {
    // An access event must never break the application.
  }
}

/** Bytes from a Content-Length header; undefined for streamed (chunked) bodies. */
function byteCount (header: OutgoingHttpHeader | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN
  return Number.isSafeInteger(n) ? n : undefined
}
