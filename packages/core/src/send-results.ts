import { CacheError, DroppedEventsError, LogstashError, type TransportError } from './errors'
import type { Cache, CachedBatch, SendOutcome } from './contracts'
import type { ErrorReporter } from './error-reporter'

export interface WorkerCounts {
  sent: number
  /** Events the receiver refused for good (HTTP 4xx, too large). */
  refused: number
  /** Sends that failed, counted once their batch is back in the cache. */
  failedSends: number
  retries: number
}

/**
 * What becomes of each batch once its send ended: the cache settles it, the counts and the
 * reports say so. A failed send puts back only what did not arrive (`TransportError.settled`).
 */
export class SendResults {
  readonly counts: WorkerCounts = { sent: 0, refused: 0, failedSends: 0, retries: 0 }
  readonly #cache: Cache
  readonly #reporter: ErrorReporter
  /** The cache's `dropped` count already reported to `onError`. */
  #reportedDrops = 0

  constructor (cache: Cache, reporter: ErrorReporter) {
    this.#cache = cache
    this.#reporter = reporter
  }

  async delivered (batch: CachedBatch, outcome: void | SendOutcome): Promise<void> {
    await this.#cache.ack(batch)
    const refused = outcome?.dropped ?? 0
    this.counts.sent += (batch.count ?? batch.events.length) - refused
    this.counts.refused += refused
    if (outcome?.error !== undefined) this.#reporter.report(outcome.error)
  }

  /** Returns whether the batch waits to be sent again. `quiet`: the send was aborted by close(). */
  async failed (batch: CachedBatch, error: TransportError, quiet: boolean): Promise<boolean> {
    const n = batch.count ?? batch.events.length
    const settled = error.settled
    if (!error.retryable) {
      await this.#cache.ack(batch)
      const delivered = (settled?.count ?? 0) - (settled?.dropped ?? 0)
      this.counts.sent += delivered
      this.counts.refused += n - delivered
      this.#reporter.report(new DroppedEventsError(`${n - delivered} events refused by the receiver and dropped: ${error.message}`, n - delivered, { code: 'LOGSTASH_REFUSED', cause: error }))
      return false
    }
    // What arrived before the failure stays delivered; the rest waits again, in order.
    await this.#cache.release(batch, settled?.count ?? 0)
    if (settled !== undefined) {
      this.counts.sent += settled.count - settled.dropped
      this.counts.refused += settled.dropped
      if (settled.error !== undefined) this.#reporter.report(settled.error)
    }
    this.counts.failedSends++
    if (!quiet) this.#reporter.report(error)
    return true
  }

  /** Deletes what outlived the TTL; returns whether any did. */
  async expire (eventTtlMs: number): Promise<boolean> {
    const expired = await this.#cache.expire(eventTtlMs)
    if (expired === 0) return false
    this.#reporter.report(new DroppedEventsError(`${expired} events older than eventTtlMs (${eventTtlMs} ms) deleted unsent`, expired, { code: 'LOGSTASH_EXPIRED' }))
    return true
  }

  // The cache drops the oldest events when it is full (at log time, or when a failed batch
  // comes back); the worker, which runs on every tick and retry, says how many since last time.
  reportEvictions (): void {
    const { dropped } = this.#cache.counts()
    if (dropped <= this.#reportedDrops) return
    const count = dropped - this.#reportedDrops
    this.#reportedDrops = dropped
    this.#reporter.report(new DroppedEventsError(`${count} events dropped because the cache was full (cache.maxEvents or cache.maxBytes)`, count, { code: 'LOGSTASH_CACHE_FULL' }))
  }

  reportCacheError (err: unknown): void {
    this.#reporter.report(err instanceof LogstashError ? err : new CacheError(`cache failed: ${(err as Error)?.message ?? String(err)}`, { cause: err }))
  }
}
