import type { IncomingMessage } from 'node:http'
import { createLogger, type LogSink, type Logger, type RequestContext } from '@logstash-async/core'
import { boundSink } from '@logstash-async/core/internal'

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
