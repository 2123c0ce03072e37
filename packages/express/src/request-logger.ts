import type { IncomingMessage } from 'node:http'
import type { Logger } from '@logstash-async/core'
import { RequestLifecycle } from '@logstash-async/core/adapter'

/**
 * Defines `req.log`: the request's logger, whose events carry the request's fields even when
 * called from code that lost the async context (a callback of a connection pool, an event
 * listener). Built on first use, so requests that never touch it pay nothing. The accessors
 * are shared by every request (no closures per request: see bind-emitter.ts).
 */
export function defineRequestLogger (req: IncomingMessage): void {
  Object.defineProperty(req, 'log', { configurable: true, enumerable: true, get: getLogger, set: setLogger })
}

function getLogger (this: IncomingMessage): Logger | undefined {
  const logger = RequestLifecycle.of(this)?.logger
  Object.defineProperty(this, 'log', { value: logger, configurable: true, enumerable: true, writable: true })
  return logger
}

function setLogger (this: IncomingMessage, value: Logger): void {
  Object.defineProperty(this, 'log', { value, configurable: true, enumerable: true, writable: true })
}
