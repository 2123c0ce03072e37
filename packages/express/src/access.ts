import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { CLIENT_CLOSED_REQUEST, logAccess, requestContext, type RequestContext } from '@logstash-async/core'
import { contentLength, isAccessSkipped } from '@logstash-async/core/internal'
import type { MiddlewareSettings } from './options'

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
      responseBytes: aborted ? undefined : contentLength(res.getHeader('content-length')),
      requestBytes: contentLength(req.headers['content-length']),
      level: settings.accessLevel,
      logger: settings.loggerName,
      endTime
    })
  } catch {
    // An access event must never break the application.
  }
}
