import type { Cache, CacheCounts, CachedBatch } from '../contracts'
import { EventQueue } from './event-queue'

export interface MemoryCacheOptions {
  /** Most events held, pending and in flight together. @default 100000 */
  maxEvents?: number
  /** Most bytes (UTF-8) of events held. @default unbounded */
  maxBytes?: number
}

class MemoryBatch implements CachedBatch {
  readonly events: string[] = []
  readonly times: number[] = []
  readonly sizes: number[] = []
  bytes = 0
}

/**
 * The default cache: a bounded FIFO in memory. Over the bound the oldest pending events
 * are dropped and counted. What it holds is lost if the process dies; `SqliteCache` keeps it.
 */
export class MemoryCache implements Cache {
  readonly #maxEvents: number
  readonly #maxBytes: number | undefined
  readonly #queue: EventQueue
  readonly #inFlight = new Set<MemoryBatch>()
  #inFlightEvents = 0
  /**
   * Evictions owed by the events in flight. Over the bound, the oldest events are the ones
   * being sent: they cannot be dropped while on the wire, so the drop is deferred. If their
   * send fails, that many come back only to be dropped; if it succeeds, nothing is lost.
   * Dropping newer waiting events instead would keep the oldest ones and leave gaps.
   */
  #debt = 0
  #debtBytes = 0
  #bytes = 0
  #dropped = 0
  #expired = 0

  constructor (options: MemoryCacheOptions = {}) {
    this.#maxEvents = options.maxEvents ?? 100_000
    this.#maxBytes = options.maxBytes
    this.#queue = new EventQueue({ trackSizes: this.#maxBytes !== undefined })
  }

  add (event: string, time: number): void {
    let size = 0
    if (this.#maxBytes !== undefined) {
      size = Buffer.byteLength(event)
      this.#bytes += size
    }
    this.#queue.push(event, time, size)
    if (this.#queue.length + this.#inFlightEvents - this.#debt > this.#maxEvents ||
        (this.#maxBytes !== undefined && this.#bytes - this.#debtBytes > this.#maxBytes)) {
      this.#evict()
    }
  }

  async take (max: number): Promise<CachedBatch> {
    const batch = new MemoryBatch()
    this.#queue.shiftInto(max, batch.events, batch.times, batch.sizes)
    if (batch.events.length === 0) return batch
    for (const size of batch.sizes) batch.bytes += size
    this.#inFlight.add(batch)
    this.#inFlightEvents += batch.events.length
    return batch
  }

  async ack (batch: CachedBatch): Promise<void> {
    if (!(batch instanceof MemoryBatch) || !this.#inFlight.delete(batch)) return
    this.#inFlightEvents -= batch.events.length
    this.#bytes -= batch.bytes
    // Delivered: the evictions it owed are forgiven, nothing was lost.
    this.#settleDebt(batch, false)
  }

  async release (batch: CachedBatch): Promise<void> {
    if (!(batch instanceof MemoryBatch) || !this.#inFlight.delete(batch)) return
    this.#inFlightEvents -= batch.events.length
    // Back to the front, oldest first, so FIFO order survives a failed send.
    for (let i = batch.events.length - 1; i >= 0; i--) {
      this.#queue.unshift(batch.events[i] as string, batch.times[i] as number, batch.sizes[i] ?? 0)
    }
    this.#settleDebt(batch, true)
    this.#evict()
  }

  async expire (ttlMs: number): Promise<number> {
    const cutoff = Date.now() - ttlMs
    let count = 0
    while (this.#queue.length > 0 && this.#queue.peekTime() < cutoff) {
      this.#bytes -= this.#queue.dropFirst()
      count++
    }
    this.#expired += count
    return count
  }

  pendingCount (): number {
    return this.#queue.length
  }

  counts (): CacheCounts {
    return { pending: this.#queue.length, inFlight: this.#inFlightEvents, dropped: this.#dropped, expired: this.#expired }
  }

  // The debt is owed by the oldest batch in flight (the worker sends one at a time).
  #settleDebt (batch: MemoryBatch, failed: boolean): void {
    const owed = Math.min(this.#debt, batch.events.length)
    if (owed === 0) return
    let bytes = 0
    for (let i = 0; i < owed; i++) bytes += batch.sizes[i] ?? 0
    this.#debt -= owed
    this.#debtBytes = Math.max(0, this.#debtBytes - bytes)
    if (!failed) return
    for (let i = 0; i < owed; i++) this.#bytes -= this.#queue.dropFirst()
    this.#dropped += owed
  }

  /** Drops whatever is still pending; the handler counts it as dropped on close. */
  async close (): Promise<void> {
    this.#dropped += this.#queue.length + this.#inFlightEvents
    this.#queue.clear()
    this.#inFlight.clear()
    this.#inFlightEvents = 0
    this.#debt = 0
    this.#debtBytes = 0
    this.#bytes = 0
  }

  // Oldest first: events in flight by debt (see #debt), then the oldest waiting events.
  #evict (): void {
    const maxBytes = this.#maxBytes
    while (this.#queue.length + this.#inFlightEvents - this.#debt > this.#maxEvents ||
      (maxBytes !== undefined && this.#bytes - this.#debtBytes > maxBytes)) {
      if (this.#debt < this.#inFlightEvents) {
        this.#debtBytes += this.#inFlightSizeAt(this.#debt)
        this.#debt++
      } else if (this.#queue.length > 0) {
        this.#bytes -= this.#queue.dropFirst()
        this.#dropped++
      } else {
        return
      }
    }
  }

  // Size of the n-th oldest event in flight (batches are kept oldest first).
  #inFlightSizeAt (n: number): number {
    if (this.#maxBytes === undefined) return 0
    for (const batch of this.#inFlight) {
      if (n < batch.events.length) return batch.sizes[n] ?? 0
      n -= batch.events.length
    }
    return 0
  }
}
