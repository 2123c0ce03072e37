import { requestContext, type RequestContext } from '../context'
import type { LogSink } from '../contracts'
import type { Level } from '../levels'
import type { LogRecord } from '../record'

/**
 * A sink that writes with `context` active, so a logger bound to a request (`req.log`,
 * `request.logstash`) carries its fields even when called from code that lost the request's
 * async context (an event emitter's listener registered elsewhere, a pooled connection's
 * callback).
 */
export function boundSink (sink: LogSink, context: RequestContext): LogSink {
  return {
    log (record: LogRecord): unknown {
      return requestContext.get() === context ? sink.log(record) : requestContext.run(context, () => sink.log(record))
    },
    isLevelEnabled (level: Level): boolean {
      return sink.isLevelEnabled?.(level) ?? true
    }
  }
}
