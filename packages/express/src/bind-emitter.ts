import type { EventEmitter } from 'node:events'
import { requestContext, type RequestContext } from '@logstash-async/core'

/**
 * Makes every listener of `emitter` run with `context` active. The request and response
 * emit their events from the connection's async context, not the request's, so a body
 * parser that calls `next()` from `req.on('end')`, or a `res.on('finish')` listener, would
 * otherwise run, and log, outside the request. Wrapping `emit` (rather than each listener)
 * also covers listeners added later by code that never heard of this library.
 */
export function bindEmitter (emitter: EventEmitter, context: RequestContext): void {
  const emit = emitter.emit
  emitter.emit = function emitInRequestContext (this: EventEmitter, ...args: Parameters<EventEmitter['emit']>): boolean {
    if (requestContext.get() === context) return emit.apply(this, args)
    return requestContext.run(context, () => emit.apply(this, args))
  }
}
