import type { IncomingMessage } from 'node:http'
import { createLogger, requestContext, type LogSink, type Logger, type RequestContext } from '@logstash-async/core'

/**
 * Defines `req.log`: a logger whose events carry the request's fields even when called from
 * code that lost the async context (a callback of a connection pool, an event listener).
 * Built on first use, so requests that never touch it pay nothing.
 */
export function defineRequestLogger (req: IncomingMessage, sink: LogSink, context: RequestContext, name: string): void {
  Object.defineProperty(req, 'log', {
    configurable: true,
    enumerable: true,
    get () {
      const logger = createLogger({ handler: boundSink(sink, context), name })
      Object.defineProperty(req, 'log', { value: logger, configurable: true, enumerable: true, writable: true })
      return logger
    },
    set (value: Logger) {
      Object.defineProperty(req, 'log', { value, configurable: true, enumerable: true, writable: true })
    }
  })
}

function boundSink (sink: LogSink, context: RequestContext): LogSink {
  return {
    log (record) {
      return requestContext.get() === context ? sink.log(record) : requestContext.run(context, () => sink.log(record))
    },
    isLevelEnabled (level) {
      return sink.isLevelEnabled?.(level) ?? true
    }
  }
}
