/*
 * The worker moves events from the cache to the transport, off the caller's tick.
 *
 *   log() ─▶ cache.add ─▶ notify()
 *                           │ first event: interval timer (flushIntervalMs)
 *                           │ flushCount events waiting: setImmediate
 *                           ▼
 *                    ┌─▶ run: take(batchSize) ─▶ transport.send ─▶ ack ─┐
 *                    │         │ retryable failure                        │ more than flushCount
 *                    │         ▼                                          │ waiting, or a flush()
 *                    │   release, backoff timer (exponential, capped,     │ is waiting: next batch
 *                    └── jittered) ◀──────────────────────────────────────┘
 *
 * It owns every timer of the handler. A timer exists only while there is work, and all
 * are unref()ed, except during the exit flush, when the process must stay up to deliver,
 * and except the one-turn setImmediate: an unref()ed immediate does not wake an idle event
 * loop, so a due send would wait for some unrelated timer or I/O (seconds, or for ever).
 * A persistent cache gets a persist tick about every flushIntervalMs while events come in
 * (and after, as long as the cache asks for more: its write failed, or it holds rows): what
 * is undelivered then reaches the disk, and what was delivered before it never does.
 */
import { CacheError, DroppedEventsError, LogstashError, TransportError } from './errors'
import type { Cache, Transport } from './contracts'
import type { ErrorReporter } from './error-reporter'
import { backoffDelay } from './backoff'

export interface WorkerOptions {
  flushIntervalMs: number
  flushCount: number
  batchSize: number
  eventTtlMs: number | undefined
  retry: { initialDelayMs: number, maxDelayMs: number }
}

export interface WorkerCounts {
  sent: number
  /** Events the receiver refused for good (HTTP 4xx, too large). */
  refused: number
  failedSends: number
  retries: number
}

interface FlushWaiter {
  /**
   * Resolved once this many events (counted from the handler's start) are settled, or, with
   * a cache shared between processes, once the cache says its mark is flushed.
   */
  target: number
  mark: unknown
  resolve: (settled: boolean) => void
}

// Floor of the persist tick and of the flush poll, so flushIntervalMs = 0 cannot spin.
const MIN_TICK_MS = 10

type TimerKind = 'interval' | 'immediate' | 'backoff'

export class Worker {
  readonly #cache: Cache
  readonly #transport: Transport
  readonly #options: WorkerOptions
  readonly #reporter: ErrorReporter
  /** How many events the handler handed to the cache so far; set by the handler. */
  accepted = 0

  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined
  #timerKind: TimerKind | undefined
  #persistTimer: NodeJS.Timeout | undefined
  #pollDelayMs = MIN_TICK_MS / 2
  #lastRunTook = false
  #running: Promise<void> | undefined
  #failures = 0
  #waiters: FlushWaiter[] = []
  #keepAlive = false
  #stopped = false
  /** The cache's `dropped` count already reported to `onError`. */
  #reportedDrops = 0
  readonly #counts: WorkerCounts = { sent: 0, refused: 0, failedSends: 0, retries: 0 }

  constructor (cache: Cache, transport: Transport, options: WorkerOptions, reporter: ErrorReporter) {
    this.#cache = cache
    this.#transport = transport
    this.#options = options
    this.#reporter = reporter
  }

  counts (): Readonly<WorkerCounts> {
    return this.#counts
  }

  /** Called after every `cache.add()`: the hot path, so it only looks at a few fields. */
  notify (): void {
    if (this.#running === undefined && this.#failures === 0 && !this.#stopped && this.#timerKind !== 'immediate') {
      if (this.#cache.pendingCount() >= this.#options.flushCount) {
        this.#setTimer('immediate', 0)
      } else if (this.#timer === undefined) {
        this.#setTimer('interval', this.#options.flushIntervalMs)
      }
    }
    // Armed after the send timer: when both are due together, the send goes first.
    if (this.#persistTimer === undefined && this.#cache.persist !== undefined && !this.#stopped) this.#armPersistTick()
  }

  /**
   * Sends now what waits, and resolves when every event accepted before the call is
   * settled (delivered, refused, dropped or expired), or after `timeoutMs`.
   * Returns whether everything was settled in time.
   */
  async flush (timeoutMs: number): Promise<boolean> {
    const mark = this.#cache.flushMark?.()
    if (this.#isSettled(this.accepted, mark)) return true
    this.#pollDelayMs = MIN_TICK_MS / 2
    let settled = false
    let waiter: FlushWaiter | undefined
    const done = new Promise<void>((resolve) => {
      waiter = { target: this.accepted, mark, resolve: (ok) => { settled = ok; resolve() } }
      this.#waiters.push(waiter)
    })
    let deadline: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, timeoutMs)
      if (!this.#keepAlive) deadline.unref()
    })
    // A flush is a request to try now, even in the middle of a backoff.
    if (!this.#stopped && this.#running === undefined) this.#setTimer('immediate', 0)
    await Promise.race([done, timedOut])
    clearTimeout(deadline)
    this.#waiters = this.#waiters.filter((w) => w !== waiter)
    return settled
  }

  /**
   * While on, new timers keep the process alive: used by the exit flush, where the process
   * must not leave before the events are delivered or the time is up.
   */
  setKeepAlive (on: boolean): void {
    this.#keepAlive = on
    if (this.#timer !== undefined && this.#timerKind !== 'immediate') {
      if (on) this.#timer.ref(); else this.#timer.unref()
    }
    if (this.#persistTimer !== undefined) {
      if (on) this.#persistTimer.ref(); else this.#persistTimer.unref()
    }
  }

  /** No further sends; resolves when the send under way (if any) has ended. */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#clearTimer()
    clearTimeout(this.#persistTimer)
    this.#persistTimer = undefined
    await this.#running
    this.#resolveWaiters(true)
  }

  #setTimer (kind: TimerKind, delayMs: number): void {
    this.#clearTimer()
    this.#timerKind = kind
    const run = (): void => { this.#timer = undefined; this.#timerKind = undefined; this.#startRun() }
    if (kind === 'immediate' || delayMs === 0) {
      // Never unref()ed: an unref()ed immediate does not stop the event loop from blocking
      // in its poll phase, so it may wait for some unrelated timer or I/O. It lasts one
      // turn of the loop, so keeping it referenced cannot hold the process.
      this.#timer = setImmediate(run)
      this.#timerKind = 'immediate'
      return
    }
    this.#timer = setTimeout(run, delayMs)
    if (!this.#keepAlive) this.#timer.unref()
  }

  // Independent of the send timer: a send may hang for timeoutMs and a backoff last
  // maxDelayMs, and what is logged meanwhile should not wait that long for the disk. The
  // tick itself runs one turn later, after the sends its moment started (a TCP write is
  // done by then): what they delivered need not be written.
  #armPersistTick (): void {
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (this.#persistTimer === timer) this.#persistTimer = undefined
        if (this.#stopped) return
        this.#cache.persist?.().then((again) => {
          // The cache asks for another tick even if nothing more is logged (its write failed).
          if (again === true && this.#persistTimer === undefined && !this.#stopped) this.#armPersistTick()
        }, (err: unknown) => this.#reportCacheError(err))
      })
    }, Math.max(this.#options.flushIntervalMs, MIN_TICK_MS))
    this.#persistTimer = timer
    if (!this.#keepAlive) timer.unref()
  }

  #clearTimer (): void {
    if (this.#timer === undefined) return
    if (this.#timerKind === 'immediate') clearImmediate(this.#timer as NodeJS.Immediate)
    else clearTimeout(this.#timer as NodeJS.Timeout)
    this.#timer = undefined
    this.#timerKind = undefined
  }

  #startRun (): void {
    if (this.#running !== undefined || this.#stopped) return
    this.#running = this.#run().finally(() => {
      this.#running = undefined
      this.#afterRun()
    })
  }

  #afterRun (): void {
    if (this.#stopped || this.#timer !== undefined) return
    this.#resolveWaiters(false)
    if (this.#failures > 0) {
      this.#setTimer('backoff', this.#backoffDelay())
    } else if (this.#cache.pendingCount() > 0 && this.#lastRunTook) {
      this.#setTimer(this.#waiters.length > 0 ? 'immediate' : 'interval', this.#options.flushIntervalMs)
    } else {
      // Nothing left here to send (or nothing this process could take: rows of a shared or
      // unwritable cache), yet events may be settling, or on their way through another
      // process: look again, soon at first, then less often, until they are gone or the
      // flush times out. No flush waiting: the next log call starts a run.
      if (this.#waiters.length > 0) {
        this.#pollDelayMs = Math.min(this.#pollDelayMs * 2, Math.max(this.#options.flushIntervalMs, MIN_TICK_MS))
        this.#setTimer('interval', this.#pollDelayMs)
      }
    }
  }

  async #run (): Promise<void> {
    const { batchSize, flushCount, eventTtlMs } = this.#options
    this.#lastRunTook = false
    try {
      this.#reportEvictions()
      if (eventTtlMs !== undefined) {
        const expired = await this.#cache.expire(eventTtlMs)
        if (expired > 0) {
          this.#reporter.report(new DroppedEventsError(`${expired} events older than eventTtlMs (${eventTtlMs} ms) deleted unsent`, expired, { code: 'LOGSTASH_EXPIRED' }))
          this.#resolveWaiters(false)
        }
      }
      while (!this.#stopped) {
        const batch = await this.#cache.take(batchSize)
        const n = batch.events.length
        if (n === 0) {
          // Nothing to retry (another process sharing the cache may have sent it): no backoff.
          this.#failures = 0
          return
        }
        this.#lastRunTook = true
        if (this.#failures > 0) this.#counts.retries++
        let outcome
        try {
          outcome = await this.#transport.send(batch.events)
        } catch (err) {
          const error = asTransportError(err)
          if (error.retryable) {
            await this.#cache.release(batch)
            this.#counts.failedSends++
            this.#failures++
            // A send aborted by close() is no problem to report: the batch is released.
            if (!this.#stopped) this.#reporter.report(error)
            return
          }
          await this.#cache.ack(batch)
          this.#counts.refused += n
          this.#failures = 0
          this.#reporter.report(new DroppedEventsError(`${n} events refused by the receiver and dropped: ${error.message}`, n, { code: 'LOGSTASH_REFUSED', cause: error }))
          this.#resolveWaiters(false)
          continue
        }
        await this.#cache.ack(batch)
        this.#failures = 0
        const refused = outcome?.dropped ?? 0
        this.#counts.sent += n - refused
        this.#counts.refused += refused
        if (outcome?.error !== undefined) this.#reporter.report(outcome.error)
        this.#resolveWaiters(false)
        if (this.#waiters.length === 0 && this.#cache.pendingCount() < flushCount) return
      }
    } catch (err) {
      // The cache itself failed (a disk error): report it and try again later.
      this.#failures++
      this.#reportCacheError(err)
    }
  }

  // The cache drops the oldest events when it is full (at log time, or when a failed batch
  // comes back); the worker, which runs on every tick and retry, says how many since last time.
  #reportEvictions (): void {
    const { dropped } = this.#cache.counts()
    if (dropped <= this.#reportedDrops) return
    const count = dropped - this.#reportedDrops
    this.#reportedDrops = dropped
    this.#reporter.report(new DroppedEventsError(`${count} events dropped because the cache was full (cache.maxEvents or cache.maxBytes)`, count, { code: 'LOGSTASH_CACHE_FULL' }))
  }

  #reportCacheError (err: unknown): void {
    this.#reporter.report(err instanceof LogstashError ? err : new CacheError(`cache failed: ${(err as Error)?.message ?? String(err)}`, { cause: err }))
  }

  #backoffDelay (): number {
    return backoffDelay(this.#failures, this.#options.retry)
  }

  #settledCount (): number {
    const { dropped, expired } = this.#cache.counts()
    return this.#counts.sent + this.#counts.refused + dropped + expired
  }

  #isSettled (target: number, mark: unknown): boolean {
    if (this.#cache.isFlushed !== undefined && mark !== undefined) return this.#cache.isFlushed(mark)
    if (this.#settledCount() >= target) return true
    const { pending, inFlight } = this.#cache.counts()
    return pending === 0 && inFlight === 0
  }

  #resolveWaiters (all: boolean): void {
    if (this.#waiters.length === 0) return
    const remaining: FlushWaiter[] = []
    for (const waiter of this.#waiters) {
      if (this.#isSettled(waiter.target, waiter.mark)) waiter.resolve(true)
      else if (all) waiter.resolve(false)
      else remaining.push(waiter)
    }
    this.#waiters = remaining
  }
}

function asTransportError (err: unknown): TransportError {
  if (err instanceof TransportError) return err
  // A user's transport that threw something else: assume a passing problem, retry.
  const message = err instanceof Error ? err.message : String(err)
  return new TransportError(`send failed: ${message}`, { retryable: true, cause: err })
}
