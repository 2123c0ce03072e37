import { DroppedEventsError, LogstashError, TransportError } from './errors'
import { ErrorReporter } from './error-reporter'
import { onlyWritesKeepAlive, registerForExit, unregisterForExit, type ExitParticipant } from './exit-hooks'
import { createFormatter } from './formatters'
import type { Cache, LogSink } from './contracts'
import { LEVEL_VALUES, type Level } from './levels'
import { normalizeOptions, type HandlerOptions, type ResolvedOptions } from './options'
import type { LogRecord } from './record'
import { EventMaker } from './record-event'
import { MemoryCache } from './caches/memory'
import { SqliteCache } from './caches/sqlite/sqlite-cache'
import { createTransport } from './transports'
import type { HostPool } from './transports/host-pool'
import type { HostStats } from './transports/pooled-host'
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
  /** Sends and connection attempts that failed (and were retried later), on every host. */
  failedSends: number
  /** Sends that were retries of a failed one. */
  retries: number
  /** The last problem seen, reported to `onError` or not. */
  lastError: LogstashError | undefined
  /** Per host, in the order of `hosts` (one entry with a transport of your own). */
  hosts: HostStats[]
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
  readonly #pool: HostPool
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
    this.#pool = createTransport(this.options)
    this.#worker = new Worker(this.#cache, this.#pool, this.options, this.#reporter)
    // A receiver that stopped reading holds the process with the write under way, and
    // beforeExit never comes: when that write is all that is left, the exit flush starts.
    this.#worker.onSendsLinger = () => {
      if (!this.#closed && !this.#exitFlushing && !this.#exitGaveUp && onlyWritesKeepAlive()) this.onBeforeExit()
    }
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
    const hosts = this.#pool.stats()
    return {
      queued: cache.pending,
      inFlight: cache.inFlight,
      sent: worker.sent,
      dropped: cache.dropped + worker.refused + this.#droppedAfterClose,
      expired: cache.expired,
      failedSends: worker.failedSends + this.#pool.failedProbes,
      retries: worker.retries,
      lastError: this.#reporter.last,
      hosts
    }
  }

  /**
   * @internal the event loop is empty (or only writes to a receiver that does not read keep
   * it alive): deliver what waits before the process leaves, for at most `closeTimeoutMs`.
   */
  onBeforeExit (): void {
    if (this.#closed || this.#exitFlushing || this.#exitGaveUp) return
    const { pending, inFlight } = this.#cache.counts()
    if (pending + inFlight === 0) return
    this.#exitFlushing = true
    this.#worker.setKeepAlive(true)
    void this.#worker.flush(this.options.closeTimeoutMs).then(async (delivered) => {
      if (!delivered) {
        // Trying again on the next beforeExit would keep the process alive forever, and so
        // would a write the receiver does not take: sending ends here, and what is under
        // way is abandoned (it goes back to the cache, and is reported once, below).
        this.#exitGaveUp = true
        const stopped = this.#worker.stop()
        this.#pool.abort(new TransportError(`abandoned: closeTimeoutMs (${this.options.closeTimeoutMs} ms) ran out before exit`, { retryable: true, code: 'LOGSTASH_CLOSED' }))
        await stopped
        this.#reportUndelivered('before exit')
      }
      this.#worker.setKeepAlive(false)
      this.#exitFlushing = false
    })
  }

  /** @internal the process is exiting: a persistent cache writes what it holds in memory. */
  onExit (): void {
    this.#cache.persistSync?.()
  }

  async #close (): Promise<void> {
    this.#closed = true
    const started = Date.now()
    const { closeTimeoutMs } = this.options
    // Timers are unref()ed so an idle handler never holds the process; a closing one must,
    // or the process leaves in the middle of close() and beforeExit skips a closed handler.
    this.#worker.setKeepAlive(true)
    let delivered = false
    try {
      delivered = await this.#worker.flush(closeTimeoutMs)
    } finally {
      // Closing the hosts ends the sends still under way; the worker then releases their
      // batches to the cache, which keeps them (SQLite) or counts them as dropped (memory).
      // What is left of closeTimeoutMs bounds the graceful end of idle connections, and the
      // wait for a transport of your own that does not end its sends.
      const left = (): number => Math.max(0, closeTimeoutMs - (Date.now() - started))
      const stopped = this.#worker.stop()
      await this.#pool.close(delivered ? Math.min(left(), CLOSE_GRACE_MS) : 0)
        .catch((err: unknown) => this.#reporter.report(asError(err, 'closing the transport failed')))
      await within(stopped, left())
      if (!this.#exitGaveUp) this.#reportUndelivered('at close')
      await this.#cache.close().catch((err: unknown) => this.#reporter.report(asError(err, 'closing the cache failed')))
      unregisterForExit(this.#exitRef)
    }
  }

  /** Says once how many events were not delivered in time, and what becomes of them. */
  #reportUndelivered (when: 'at close' | 'before exit'): void {
    const { pending, inFlight } = this.#cache.counts()
    const left = pending + inFlight
    const { closeTimeoutMs } = this.options
    if (this.#cache.persistent === true) {
      // Kept for the next start, not lost; close() says nothing of it, the exit flush does.
      if (when === 'before exit') this.#reporter.report(new LogstashError(`events not delivered within closeTimeoutMs (${closeTimeoutMs} ms) before exit stay in the cache for the next start`, { code: 'LOGSTASH_EXIT_UNDELIVERED' }))
      return
    }
    if (left === 0) return
    if (when === 'at close') {
      this.#reporter.report(new DroppedEventsError(`${left} events not delivered within closeTimeoutMs (${closeTimeoutMs} ms) and dropped at close`, left, { code: 'LOGSTASH_CLOSE_UNDELIVERED' }))
    } else {
      this.#reporter.report(new DroppedEventsError(`${left} events not delivered within closeTimeoutMs (${closeTimeoutMs} ms) before exit`, left, { code: 'LOGSTASH_EXIT_UNDELIVERED' }))
    }
  }
}

// How long idle connections are given to close gracefully at close(), at most.
const CLOSE_GRACE_MS = 1000

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function within (promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise, new Promise<void>((resolve) => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

function createCache (options: ResolvedOptions): Cache {
  const { cache, databasePath, sqlite } = options
  if ('add' in cache) return cache
  if (databasePath !== undefined) return new SqliteCache({ path: databasePath, ...cache, ...sqlite })
  return new MemoryCache(cache)
}

function asError (err: unknown, message: string): LogstashError {
  return new LogstashError(`${message}: ${(err as Error)?.message ?? String(err)}`, { code: 'LOGSTASH_CLOSE', cause: err })
}
