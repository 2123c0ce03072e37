import { DroppedEventsError, TransportError } from './errors'
import { ErrorReporter } from './error-reporter'
import { createFormatter } from './formatters'
import type { LogSink, Transport } from './contracts'
import { LEVEL_VALUES, type Level } from './levels'
import { normalizeOptions, type HandlerOptions, type ResolvedOptions } from './options'
import type { LogRecord } from './record'
import { EventMaker } from './record-event'
import { createTransport } from './transports'

/**
 * Sends each event at once, without cache, batching or retry: for scripts and tests
 * that want to know an event was delivered. `log()` resolves to `true` once the transport
 * has the event and to `false` if sending failed (reported through `onError`); it never
 * rejects, so an un-awaited call cannot crash the process.
 */
export class SyncLogstashHandler implements LogSink {
  readonly options: ResolvedOptions
  readonly #events: EventMaker
  readonly #transport: Transport
  readonly #reporter: ErrorReporter
  readonly #minLevel: number
  // Sends run one after another: transports expect one send at a time.
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor (options: HandlerOptions = {}) {
    this.options = normalizeOptions(options)
    this.#reporter = new ErrorReporter(this.options.onError, this.options.errorRateLimit)
    this.#minLevel = LEVEL_VALUES[this.options.level]
    this.#events = new EventMaker(createFormatter(this.options), this.#reporter)
    this.#transport = createTransport(this.options)
  }

  isLevelEnabled (level: Level): boolean {
    return this.options.enabled && !this.#closed && (LEVEL_VALUES[level] ?? 0) >= this.#minLevel
  }

  log (record: LogRecord): Promise<boolean> {
    if (!this.options.enabled || this.#closed) return Promise.resolve(false)
    let event: string
    try {
      if ((LEVEL_VALUES[record.level] ?? LEVEL_VALUES.info) < this.#minLevel) return Promise.resolve(false)
      event = this.#events.make(record)
    } catch {
      return Promise.resolve(false)
    }
    const sent = this.#queue.then(() => this.#transport.send([event])).then(
      (outcome) => {
        if (outcome !== undefined && outcome.dropped > 0) {
          if (outcome.error !== undefined) this.#reporter.report(outcome.error)
          return false
        }
        return true
      },
      (err: unknown) => {
        const error = err instanceof TransportError ? err : new TransportError(`send failed: ${(err as Error)?.message ?? String(err)}`, { retryable: true, cause: err })
        this.#reporter.report(new DroppedEventsError(`event not delivered: ${error.message}`, 1, { cause: error }))
        return false
      })
    this.#queue = sent
    return sent
  }

  /** Resolves when every send started so far has ended. */
  async flush (): Promise<boolean> {
    await this.#queue
    return true
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#queue
    await this.#transport.close()
  }
}
