import type { IncomingMessage } from 'node:http'
import type { Logger } from '@logstash-async/core'
import type { RequestLifecycle } from '@logstash-async/core/adapter'

/**
 * Defines `req.log`: the request's logger, whose events carry the request's fields even when
 * called from code that lost the async context (a callback of a connection pool, an event
 * listener). Built on first use, so requests that never touch it pay nothing.
 */
export function defineRequestLogger (req: IncomingMessage, lifecycle: RequestLifecycle<unknown, unknown>): void {
  Object.defineProperty(req, 'log', {
    configurable: true,
    enumerable: true,
    get () {
      const logger = lifecycle.logger
      Object.defineProperty(req, 'log', { value: logger, configurable: true, enumerable: true, writable: true })
      return logger
    },
    set (value: Logger) {
      Object.defineProperty(req, 'log', { value, configurable: true, enumerable: true, writable: true })
    }
  })
}
