import { defaultHandler, type LogSink } from '@logstash-async/core'
import { fail } from '@logstash-async/core/internal'
import { LineWriter, type PinoConfig } from './line'
import { resolveLineSettings, type LogstashDestinationOptions } from './options'

/**
 * A pino destination: what `pino(options, destination)`, `pino.multistream()`,
 * `Fastify({ logger: { stream } })` and pino-http's / nestjs-pino's `stream` accept. pino
 * calls `write()` synchronously, in the caller's async context, with one JSON line.
 */
export interface LogstashDestination {
  /** Tells `pino(destination)` (one argument) that this is a destination, not options. */
  readonly writable: true
  write (line: string): void
  /** Called by `logger.flush(cb)`: calls back when what was logged before it is delivered (or `closeTimeoutMs` passed). */
  flush (callback?: (err?: Error) => void): void
  /**
   * pino announces its levels, `messageKey` and `errorKey` to its destination through
   * `emit('message', { code: 'PINO_CONFIG' })`; the destination reads its lines with them.
   */
  emit (event: string | symbol, ...args: unknown[]): boolean
}

/**
 * A pino destination writing each line to `handler` as a log record: pino's level, time,
 * message, logger name and error become the record's, child bindings and the other keys its
 * fields, pino-http's `req`, `res` and `responseTime` the request and access fields our
 * adapters write. The request context is read when pino writes, synchronously in the
 * caller's context, so lines logged inside one of our adapters carry the request's fields;
 * outside them, a line's `req` (pino-http) or `reqId` (Fastify) gives its request.
 *
 * @param handler where records go. @default the process-wide `defaultHandler()`
 */
export function logstashDestination (handler: LogSink = defaultHandler(), options: LogstashDestinationOptions = {}): LogstashDestination {
  if (typeof handler?.log !== 'function') fail('logstashDestination handler', 'an object with a log(record) method (a LogstashHandler)', handler)
  const writer = new LineWriter(handler, resolveLineSettings('logstashDestination', options))
  const flushable = handler as LogSink & { flush?: () => Promise<unknown> }
  return {
    writable: true,
    write (chunk: string): void {
      try {
        writer.writeLines(typeof chunk === 'string' ? chunk : String(chunk))
      } catch {
        // A destination that throws would break the application's log call.
      }
    },
    flush (callback?: (err?: Error) => void): void {
      const done = typeof callback === 'function' ? callback : () => {}
      if (typeof flushable.flush !== 'function') { done(); return }
      flushable.flush().then(() => done(), (err: unknown) => done(err instanceof Error ? err : new Error(String(err))))
    },
    emit (event: string | symbol, message?: unknown): boolean {
      if (event !== 'message' || !isPinoConfig(message)) return false
      writer.configure(message.config)
      return true
    }
  }
}

/** pino's announcement to a destination (and to a transport's worker). */
export function isPinoConfig (message: unknown): message is { code: 'PINO_CONFIG', config: PinoConfig } {
  return typeof message === 'object' && message !== null && (message as { code?: unknown }).code === 'PINO_CONFIG' &&
    typeof (message as { config?: unknown }).config === 'object'
}
