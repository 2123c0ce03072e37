import TransportStream from 'winston-transport'
import { requestContext, type LogSink } from '@logstash-async/core'
import { outsideContext, stampContextOnWrite, stampedContext } from './context-stamp'
import { infoToRecord } from './info'
import { resolveTransportSettings, type LogstashTransportOptions, type TransportSettings } from './options'

type Flushable = LogSink & { flush?: () => Promise<unknown> }

/**
 * A winston transport writing each info object to a logstash-async handler as a record:
 * level, message, timestamp, metadata, child logger and default metadata as fields, the
 * error wherever winston put it, express-winston's request lines as request and access
 * fields, and the request context of the log call from our adapters.
 *
 * `log()` never throws and never makes winston emit 'error': the handler reports its own
 * problems through its `onError`. `close()` (called by `logger.close()`) and the end of the
 * logger's stream (`logger.end()`) deliver what was logged, closing the handler the
 * transport created.
 */
export class LogstashTransport extends TransportStream {
  /** Where this transport's events go. */
  readonly handler: LogSink
  readonly #settings: TransportSettings
  #closing: Promise<void> | undefined

  constructor (options: LogstashTransportOptions = {}) {
    const settings = resolveTransportSettings(options)
    super(settings.stream)
    this.#settings = settings
    this.handler = settings.lease.handler
    this.once('pipe', (logger: unknown) => stampContextOnWrite(logger))
  }

  /** Writes one info object to the handler, then tells winston it is done. */
  override log (info: Record<string | symbol, unknown>, callback: () => void): void {
    try {
      const active = requestContext.get()
      const stamped = stampedContext(info)
      const { record, context } = infoToRecord(info, this.#settings, stamped === undefined ? active : stamped ?? undefined)
      if (context === active) this.handler.log(record)
      else if (context === undefined) outsideContext(() => this.handler.log(record))
      else requestContext.run(context, () => this.handler.log(record))
    } catch {
      // Logging must never break the application: a hostile info object is not winston's error.
    }
    try {
      // Written already: winston's 'logged' says so, in the same turn.
      this.emit('logged', info)
    } catch {
      // A throwing 'logged' listener is not the log call's problem.
    }
    callback()
  }

  /**
   * Delivers what was logged (within the handler's `closeTimeoutMs`) and closes the handler
   * if the transport created it; a handler you passed, and the default handler, are flushed
   * and left open. Idempotent.
   */
  override close (): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  // The logger's stream ended (`logger.end()`): 'finish' waits for delivery.
  override _final (callback: (error?: Error | null) => void): void {
    this.close().then(() => callback(), () => callback())
  }

  async #close (): Promise<void> {
    try {
      const owned = this.#settings.lease.owned
      if (owned !== undefined) await owned.close()
      else await (this.handler as Flushable).flush?.()
    } catch {
      // The handler reported it; closing must not reject into winston.
    }
  }
}
