import type { EventEmitter } from 'node:events'
import { requestContext, type RequestContext } from '@logstash-async/core'

// The context and the emitter's own emit, kept on the emitter under symbols and read by one
// emit shared by every request: a closure per request, kept by the request, made V8 keep
// each request's objects alive through its minor GCs (+50 us of CPU per request).
const kContext = Symbol('@logstash-async/express.emitContext')
const kEmit = Symbol('@logstash-async/express.emit')
type BoundEmitter = EventEmitter & { [kContext]: RequestContext, [kEmit]: EventEmitter['emit'] }

/**
 * Makes every listener of `emitter` run with `context` active. The request and response
 * emit their events from the connection's async context, not the request's, so a body
 * parser that calls `next()` from `req.on('end')`, or a `res.on('finish')` listener, would
 * otherwise run, and log, outside the request. Wrapping `emit` (rather than each listener)
 * also covers listeners added later by code that never heard of this library.
 */
export function bindEmitter (emitter: EventEmitter, context: RequestContext): void {
  const bound = emitter as BoundEmitter
  bound[kContext] = context
  bound[kEmit] = emitter.emit
  bound.emit = emitInRequestContext
}

function emitInRequestContext (this: BoundEmitter, ...args: Parameters<EventEmitter['emit']>): boolean {
  const context = this[kContext]
  if (requestContext.get() === context) return this[kEmit].apply(this, args)
  return requestContext.run(context, () => this[kEmit].apply(this, args))
}
