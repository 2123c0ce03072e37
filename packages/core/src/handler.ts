import { DroppedEventsError, LogstashError } from './errors'
import { ErrorReporter } from './error-reporter'
import { registerForExit, unregisterForExit, type ExitParticipant } from './exit-hooks'
import { createFormatter } from './formatters'
import type { Cache, LogSink, Transport } from './contracts'
import { LEVEL_VALUES, type Level } from './levels'
import { normalizeOptions, type HandlerOptions, type ResolvedOptions } from './options'
import type { LogRecord } from './record'
import { EventMaker } from './record-event'
// Still exported from the main entry through here; the record-to-event step owns it now.
export { fallbackEvent } from './record-event'
import { MemoryCache } from './caches/memory'
import { SqliteCache } from './caches/sqlite/sqlite-cache'
import { createTransport } from './transports'
import { Worker } from './worker'

/** Counters of a handler, since it was created. */
export interface HandlerStats {
  /** Events waiting in the cache. */
  queued: number
  /** Events being sent right now. */
  inFlight: number
  /** Events delivered. */
  sent: number
  /** Events given up: evicted by the cache bound, refused by the receiver, left at close, logged after close. */
  dropped: number
  /** Events deleted unsent because they outlived `eventTtlMs`. */
  expired: number
  /** Sends that failed and were retried later. */
  failedSends: number
  /** Sends that were retries of a failed one. */
  retries: number
  /** The last problem seen, reported to `onError` or not. */
  lastError: LogstashError | undefined
}

/**
 * The asynchronous handler: `log()` formats the record, queues the event and returns; a
 * worker sends events in batches, retries with backoff and never gives up on its own.
 * `log()` never throws and never waits on the network.
 */
export class LogstashHandler implements LogSink, ExitParticipant {
  /** The options after defaults, environment and validation. */
  readonly options: ResolvedOptions
  readonly #events: EventMaker
  readonly #cache: Cache
  readonly #transport: Transport
  readonly #worker: Worker
  readonly #reporter: ErrorReporter
  readonly #minLevel: number
  readonly #enabled: boolean
  readonly #exitRef: WeakRef<ExitParticipant>
  #closed = false
  #closing: Promise<void> | undefined
  #droppedAfterClose = 0
  #exitFlushing = false
  #exitGaveUp = false

  constructor (options: HandlerOptions = {}) {
    this.options = normalizeOptions(options)
    this.#reporter = new ErrorReporter(this.options.onError, this.options.errorRateLimit)
    this.#minLevel = LEVEL_VALUES[this.options.level]
    this.#enabled = this.options.enabled
    this.#events = new EventMaker(createFormatter(this.options), this.#reporter)
    this.#cache = createCache(this.options)
    this.#transport = createTransport(this.options)
    this.#worker = new Worker(this.#cache, this.#transport, this.options, this.#reporter)
    // A persistent cache may find events an earlier run could not deliver: send them.
    this.#cache.attach?.({ onError: (err) => this.#reporter.report(err), onPending: () => this.#worker.notify() })
    this.#exitRef = registerForExit(this)
  }

  /** True once `close()` was called. */
  get closed (): boolean {
    return this.#closed
  }

  /** Whether an event of `level` would be sent; lets callers skip building costly fields. */
  isLevelEnabled (level: Level): boolean {
    return this.#enabled && !this.#closed && (LEVEL_VALUES[level] ?? 0) >= this.#minLevel
  }

  /** Formats and queues one record. Never throws, never waits. */
  log (record: LogRecord): void {
    if (!this.#enabled) return
    try {
      const value = LEVEL_VALUES[record.level] ?? LEVEL_VALUES.info
      if (value < this.#minLevel) return
      if (this.#closed) { this.#droppedAfterClose++; return }
      const event = this.#events.make(record)
      this.#cache.add(event, this.#events.time)
      this.#worker.accepted++
      this.#worker.notify()
    } catch (err) {
      // A broken custom cache or a hostile record: the application must not notice.
      this.#droppedAfterClose++
      this.#reporter.report(new DroppedEventsError(`an event could not be queued: ${(err as Error)?.message ?? String(err)}`, 1, { cause: err }))
    }
  }

  /**
   * Sends what waits now. Resolves `true` when everything logged before the call is
   * delivered (or given up by the TTL or the bounds), `false` if `closeTimeoutMs` passed first.
   */
  flush (): Promise<boolean> {
    return this.#worker.flush(this.options.closeTimeoutMs)
  }

  /**
   * Delivers what it can within `closeTimeoutMs`, then stops timers and closes the transport
   * and cache. Idempotent. Later `log()` calls are counted no-ops.
   */
  close (): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  stats (): HandlerStats {
    const cache = this.#cache.counts()
    const worker = this.#worker.counts()
    return {
      queued: cache.pending,
      inFlight: cache.inFlight,
      sent: worker.sent,
      dropped: cache.dropped + worker.refused + this.#droppedAfterClose,
      expired: cache.expired,
      failedSends: worker.failedSends,
      retries: worker.retries,
      lastError: this.#reporter.last
    }
  }

  /** @internal the event loop is empty: deliver what waits before the process leaves. */
  onBeforeExit (): void {
    if (this.#closed || this.#exitFlushing || this.#exitGaveUp) return
    const { pending, inFlight } = this.#cache.counts()
    if (pending + inFlight === 0) return
    this.#exitFlushing = true
    this.#worker.setKeepAlive(true)
    void this.#worker.flush(this.options.closeTimeoutMs).then((delivered) => {
      this.#worker.setKeepAlive(false)
      this.#exitFlushing = false
      if (!delivered) {
        // Trying again on the next beforeExit would keep the process alive forever.
        this.#exitGaveUp = true
        const left = this.#cache.counts()
        if (this.#cache.persistent === true) {
          this.#reporter.report(new LogstashError(`events not delivered within closeTimeoutMs (${this.options.closeTimeoutMs} ms) before exit stay in the cache for the next start`, { code: 'LOGSTASH_EXIT_UNDELIVERED' }))
          return
        }
        this.#reporter.report(new DroppedEventsError(`${left.pending + left.inFlight} events not delivered within closeTimeoutMs (${this.options.closeTimeoutMs} ms) before exit`, left.pending + left.inFlight, { code: 'LOGSTASH_EXIT_UNDELIVERED' }))
      }
    })
  }

  /** @internal the process is exiting: a persistent cache writes what it holds in memory. */
  onExit (): void {
    this.#cache.persistSync?.()
  }

  async #close (): Promise<void> {
    this.#closed = true
    // Timers are unref()ed so an idle handler never holds the process; a closing one must,
    // or the process leaves in the middle of close() and beforeExit skips a closed handler.
    this.#worker.setKeepAlive(true)
    try {
      await this.#worker.flush(this.options.closeTimeoutMs)
    } finally {
      // Closing the transport first aborts a send still hanging; the worker then releases
      // its batch to the cache, which keeps it (SQLite) or counts it as dropped (memory).
      const stopped = this.#worker.stop()
      await this.#transport.close().catch((err: unknown) => this.#reporter.report(asError(err, 'closing the transport failed')))
      await stopped
      const left = this.#cache.counts()
      await this.#cache.close().catch((err: unknown) => this.#reporter.report(asError(err, 'closing the cache failed')))
      if (left.pending + left.inFlight > 0 && this.#cache instanceof MemoryCache) {
        this.#reporter.report(new DroppedEventsError(`${left.pending + left.inFlight} events not delivered within closeTimeoutMs (${this.options.closeTimeoutMs} ms) and dropped at close`, left.pending + left.inFlight, { code: 'LOGSTASH_CLOSE_UNDELIVERED' }))
      }
      unregisterForExit(this.#exitRef)
    }
  }
}

function createCache (options: ResolvedOptions): Cache {
  const { cache, databasePath, sqlite } = options
  if ('add' in cache) return cache
  if (databasePath !== undefined) {
    return new SqliteCache({
      path: databasePath,
      maxEvents: cache.maxEvents,
      ...(cache.maxBytes === undefined ? {} : { maxBytes: cache.maxBytes }),
      ...sqlite
    })
  }
  return new MemoryCache({ maxEvents: cache.maxEvents, ...(cache.maxBytes === undefined ? {} : { maxBytes: cache.maxBytes }) })
}

function asError (err: unknown, message: string): LogstashError {
  return new LogstashError(`${message}: ${(err as Error)?.message ?? String(err)}`, { code: 'LOGSTASH_CLOSE', cause: err })
}
