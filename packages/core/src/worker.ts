/*
 * The worker moves events from the cache to the hosts, off the caller's tick.
 *
 *   log() ─▶ cache.add ─▶ notify()
 *                           │ first event: interval timer (flushIntervalMs)
 *                           │ flushCount events waiting: setImmediate
 *                           ▼
 *                         pump: while a connection is free (pool.pick) and events wait:
 *                           take(batchSize) ─▶ sendOn(connection) ─┐   (not awaited: up to
 *                                                                   │   pipelining per connection)
 *               ┌─ delivered: ack ◀──────────────────────────────────┤
 *               │  failed: release (what arrived stays delivered) ◀──┘
 *               ▼      the host backs off; another healthy host takes the batch at once
 *             pump again; nothing usable: a timer until the next host may be tried
 *
 * It owns every timer of the handler but the hosts' connection watchdogs. A timer exists
 * only while there is work, and all are unref()ed, except during the exit flush, when the
 * process must stay up to deliver, and except the one-turn setImmediate: an unref()ed
 * immediate does not wake an idle event loop, so a due send would wait for some unrelated
 * timer or I/O (seconds, or for ever). A persistent cache gets a persist tick about every
 * flushIntervalMs while events come in (and after, as long as the cache asks for more: its
 * write failed, or it holds rows): what is undelivered then reaches the disk, and what was
 * delivered before it never does.
 */
import { TransportError } from './errors'
import type { Cache, CachedBatch } from './contracts'
import type { ErrorReporter } from './error-reporter'
import { backoffDelay } from './backoff'
import { FlushWaiters } from './flush-waiters'
import { SendResults, type WorkerCounts } from './send-results'

export type { WorkerCounts } from './send-results'
import { PersistTick } from './persist-tick'
import type { HostPool } from './transports/host-pool'
import type { Lane } from './transports/pooled-host'

export interface WorkerOptions {
  flushIntervalMs: number
  flushCount: number
  batchSize: number
  eventTtlMs: number | undefined
  /** Backoff after the cache itself failed (the hosts keep their own). */
  retry: { initialDelayMs: number, maxDelayMs: number }
}

// Floor of the persist tick, the flush poll and a host's retry timer, so nothing spins.
const MIN_TICK_MS = 10

// How often sends under way are looked at for being all that keeps the process alive:
// the exit flush starts that much after the application is done, at most.
const LINGER_CHECK_MS = 100

type TimerKind = 'interval' | 'immediate' | 'backoff'

export class Worker {
  readonly #cache: Cache
  readonly #pool: HostPool
  readonly #options: WorkerOptions
  /** How many events the handler handed to the cache so far; set by the handler. */
  accepted = 0
  /**
   * Called now and then while sends are under way: the handler looks whether they are
   * all that keeps the process alive (a receiver that does not read), see exit-hooks.ts.
   */
  onSendsLinger: (() => void) | undefined

  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined
  #timerKind: TimerKind | undefined
  readonly #persistTick: PersistTick
  #lingerTimer: NodeJS.Timeout | undefined
  #pollDelayMs = MIN_TICK_MS / 2
  #pumping = false
  /** At least one batch is due whatever flushCount says (the interval ran out, a retry). */
  #due = false
  /** The last pump found no connection free: a send ending, or a host coming back, unblocks. */
  #blocked = false
  readonly #sends = new Set<Promise<void>>()
  /** Batches that failed and are waiting to be sent again: the next takes count as retries. */
  #retriesOwed = 0
  #cacheFailures = 0
  /** The last take found nothing this process could send, though the cache counts some pending. */
  #tookNothing = false
  /** Sends that ended so far. */
  #settledSends = 0
  #nextExpireAt = 0
  readonly #waiters = new FlushWaiters((target, mark) => this.#isSettled(target, mark))
  #keepAlive = false
  #stopped = false
  readonly #results: SendResults

  constructor (cache: Cache, pool: HostPool, options: WorkerOptions, reporter: ErrorReporter) {
    this.#cache = cache
    this.#pool = pool
    this.#options = options
    this.#results = new SendResults(cache, reporter)
    this.#persistTick = new PersistTick(cache, Math.max(options.flushIntervalMs, MIN_TICK_MS), (err) => this.#results.reportCacheError(err))
    pool.onChange = () => this.#onPoolChange()
  }

  counts (): Readonly<WorkerCounts> {
    return this.#results.counts
  }

  /** Called after every `cache.add()`: the hot path, so it only looks at a few fields. */
  notify (): void {
    if (!this.#pumping && !this.#blocked && !this.#stopped && this.#timerKind !== 'immediate' && this.#timerKind !== 'backoff') {
      if (this.#cache.pendingCount() >= this.#options.flushCount) {
        this.#setTimer('immediate', 0)
      } else if (this.#timer === undefined) {
        this.#setTimer('interval', this.#options.flushIntervalMs)
      }
    }
    // Armed after the send timer: when both are due together, the send goes first.
    this.#persistTick.arm()
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
    const waiting = this.#waiters.wait(this.accepted, mark, timeoutMs, this.#keepAlive)
    // A flush is a request to try now, even in the middle of a host's backoff.
    if (!this.#stopped) {
      this.#pool.retryNow()
      this.#due = true
      this.#blocked = false
      if (!this.#pumping) this.#setTimer('immediate', 0)
    }
    return await waiting
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
    this.#persistTick.setKeepAlive(on)
  }

  /** No further sends; resolves when the sends under way have ended (closing the hosts ends them). */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#clearTimer()
    this.#persistTick.stop()
    clearTimeout(this.#lingerTimer)
    this.#lingerTimer = undefined
    while (this.#sends.size > 0) await Promise.all(this.#sends)
    this.#waiters.resolve(true)
  }

  #setTimer (kind: TimerKind, delayMs: number): void {
    this.#clearTimer()
    this.#timerKind = kind
    const run = (): void => {
      this.#timer = undefined
      this.#timerKind = undefined
      if (kind !== 'immediate') this.#due = true
      if (kind === 'backoff') this.#blocked = false
      void this.#pump()
    }
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

  #clearTimer (): void {
    if (this.#timer === undefined) return
    if (this.#timerKind === 'immediate') clearImmediate(this.#timer as NodeJS.Immediate)
    else clearTimeout(this.#timer as NodeJS.Timeout)
    this.#timer = undefined
    this.#timerKind = undefined
  }

  // A host came back, failed, stalled or resumed. A turn later: a batch that just failed is
  // back in the cache by then, ahead of newer events.
  #onPoolChange (): void {
    this.#blocked = false
    if (!this.#stopped && !this.#pumping && this.#timerKind !== 'immediate') this.#setTimer('immediate', 0)
  }

  /** Hands out batches while a connection is free and events are due, without awaiting the sends. */
  async #pump (): Promise<void> {
    if (this.#pumping || this.#stopped) return
    this.#pumping = true
    const { batchSize, flushCount, eventTtlMs } = this.#options
    try {
      this.#results.reportEvictions()
      if (eventTtlMs !== undefined && Date.now() >= this.#nextExpireAt) {
        this.#nextExpireAt = Date.now() + Math.max(this.#options.flushIntervalMs, MIN_TICK_MS)
        if (await this.#results.expire(eventTtlMs)) this.#waiters.resolve(false)
      }
      this.#tookNothing = false
      while (!this.#stopped) {
        const pending = this.#cache.pendingCount()
        // A flush waiting takes even when nothing seems to wait: a shared cache learns from
        // a take what other processes left in it.
        if (this.#waiters.length === 0 && (pending === 0 || (!this.#due && pending < flushCount))) break
        if (this.#waiters.length > 0 && pending === 0 && this.#tookNothing) break
        const lane = this.#pool.pick()
        if (lane === undefined) {
          this.#blocked = true
          // No host takes a batch now; another process sharing the cache may deliver.
          if (this.#waiters.length > 0 && this.#cache.refresh !== undefined) {
            await this.#cache.refresh()
            this.#waiters.resolve(false)
          }
          break
        }
        const settledBefore = this.#settledSends
        const batch = await this.#cache.take(batchSize)
        if ((batch.count ?? batch.events.length) === 0) {
          // Rows of another process sharing the cache (or an unwritable one): nothing to
          // retry. A send that ended meanwhile may have changed that: look again then.
          this.#tookNothing = this.#settledSends === settledBefore
          this.#due = false
          break
        }
        this.#due = false
        this.#cacheFailures = 0
        if (this.#retriesOwed > 0) { this.#retriesOwed--; this.#results.counts.retries++ }
        this.#send(lane, batch)
      }
    } catch (err) {
      // The cache itself failed (a disk error): report it and try again later.
      this.#cacheFailures++
      this.#results.reportCacheError(err)
    } finally {
      this.#pumping = false
    }
    this.#schedule()
  }

  #send (lane: Lane, batch: CachedBatch): void {
    const sending = this.#pool.sendOn(lane, batch).then(
      (outcome) => this.#results.delivered(batch, outcome),
      async (err: unknown) => {
        if (!await this.#results.failed(batch, asTransportError(err), this.#stopped)) return
        this.#retriesOwed++
        this.#due = true
      }
    ).catch((err: unknown) => this.#results.reportCacheError(err)).finally(() => {
      this.#sends.delete(sending)
      this.#settledSends++
      this.#tookNothing = false
      this.#blocked = false
      this.#waiters.resolve(false)
      this.#schedule()
    })
    this.#sends.add(sending)
    if (this.#lingerTimer === undefined && this.onSendsLinger !== undefined) this.#armLingerCheck()
  }

  #armLingerCheck (): void {
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = undefined
      if (this.#sends.size === 0 || this.#stopped) return
      this.onSendsLinger?.()
      this.#armLingerCheck()
    }, LINGER_CHECK_MS)
    this.#lingerTimer.unref()
  }

  /** What comes next, once nothing runs: send now, wait for a send or a host, or a timer. */
  #schedule (): void {
    if (this.#stopped || this.#pumping || this.#timerKind === 'immediate') return
    this.#waiters.resolve(false)
    const pending = this.#cache.pendingCount()
    // A flush waiting with nothing pending takes once more: a shared cache learns from it
    // what other processes, and its own deletes, left in the file.
    const urgent = !this.#tookNothing && (pending > 0
      ? this.#due || this.#waiters.length > 0 || pending >= this.#options.flushCount
      : this.#waiters.length > 0)
    if (this.#cacheFailures > 0) {
      if (this.#timer === undefined) this.#setTimer('backoff', backoffDelay(this.#cacheFailures, this.#options.retry))
    } else if (urgent && !this.#blocked) {
      // Not from the caller's tick (notify() uses an immediate): from a send that ended, or
      // a pump, so the next batch goes at once, not a turn of the event loop later.
      this.#clearTimer()
      void this.#pump()
    } else if (urgent) {
      // No connection free. A send ending or a host found reachable calls back; else the
      // next host's backoff ends. Never wait on the sends alone: one to a receiver that
      // stopped reading may never end (and a timer may fire a millisecond before Date.now()
      // says the backoff is over, leaving a host due that the last pick() saw as not yet).
      const at = this.#pool.nextRetryAt()
      let delay = at !== undefined ? Math.max(at - Date.now(), MIN_TICK_MS) : Infinity
      // A flush waiting on a shared cache looks again now and then (see refresh()).
      if (this.#waiters.length > 0 && this.#cache.refresh !== undefined) {
        this.#pollDelayMs = Math.min(this.#pollDelayMs * 2, Math.max(this.#options.flushIntervalMs, MIN_TICK_MS))
        delay = Math.min(delay, this.#pollDelayMs)
      }
      if (delay !== Infinity && this.#timerKind !== 'backoff') this.#setTimer('backoff', delay)
    } else if (pending > 0 && !this.#tookNothing) {
      if (this.#timer === undefined) this.#setTimer('interval', this.#options.flushIntervalMs)
    } else if (this.#waiters.length > 0 && this.#timer === undefined) {
      // Nothing left here to send (or nothing this process could take: rows of a shared or
      // unwritable cache), yet events may be settling, or on their way through another
      // process: look again, soon at first, then less often, until they are gone or the
      // flush times out. No flush waiting: the next log call starts a pump.
      this.#pollDelayMs = Math.min(this.#pollDelayMs * 2, Math.max(this.#options.flushIntervalMs, MIN_TICK_MS))
      this.#setTimer('interval', this.#pollDelayMs)
    }
  }

  #settledCount (): number {
    const { dropped, expired } = this.#cache.counts()
    return this.#results.counts.sent + this.#results.counts.refused + dropped + expired
  }

  #isSettled (target: number, mark: unknown): boolean {
    if (this.#cache.isFlushed !== undefined && mark !== undefined) return this.#cache.isFlushed(mark)
    if (this.#settledCount() >= target) return true
    const { pending, inFlight } = this.#cache.counts()
    return pending === 0 && inFlight === 0
  }
}

function asTransportError (err: unknown): TransportError {
  if (err instanceof TransportError) return err
  // A user's transport that threw something else: assume a passing problem, retry.
  const message = err instanceof Error ? err.message : String(err)
  return new TransportError(`send failed: ${message}`, { retryable: true, cause: err })
}
