import type { Cache, CacheCounts, CachedBatch, EventBytes } from '../contracts'
import { EventQueue, type QueueSlots } from './event-queue'

/** Options of `MemoryCache`, resolved: the handler fills them from `cache` (see `DEFAULTS`). */
export interface MemoryCacheOptions {
  /** Most events held, pending and in flight together. */
  maxEvents: number
  /** Most bytes (UTF-8) of events held; `undefined`: no byte bound. */
  maxBytes: number | undefined
}

class MemoryBatch implements CachedBatch, EventBytes {
  readonly slots: QueueSlots
  readonly #queue: EventQueue
  /** UTF-8 bytes of its events, when the cache keeps a byte bound. */
  size = 0
  /**
   * How many of its oldest events the bound has claimed while they were on the wire: they
   * are dropped if the send fails and forgiven if it succeeds (always a prefix, see #owe).
   */
  owed = 0
  owedBytes = 0

  constructor (queue: EventQueue, slots: QueueSlots) {
    this.#queue = queue
    this.slots = slots
  }

  get count (): number { return this.slots.length }
  get length (): number { return this.slots.length }
  get seqs (): Float64Array { return this.slots.seqs }
  get sizes (): Int32Array { return this.slots.sizes }
  get bytes (): EventBytes { return this }

  // Read from the queue's arena at each use: a batch keeps no string of its own.
  get events (): string[] {
    const events = new Array<string>(this.count)
    for (let i = 0; i < events.length; i++) events[i] = this.#queue.read(this.slots, i)
    return events
  }

  byteLength (index: number): number {
    return this.slots.lengths[index] as number
  }

  copy (start: number, end: number, target: Buffer, offset: number, separator?: number): number {
    return this.#queue.copy(this.slots, start, end, target, offset, separator)
  }
}

/**
 * The default cache: a bounded FIFO in memory. Over the bound the oldest events are dropped
 * and counted. What it holds is lost if the process dies; `SqliteCache` keeps it.
 *
 * Several batches may be on the wire at once and come back in any order: every event has a
 * sequence number, and a released batch goes back where its numbers place it.
 */
export class MemoryCache implements Cache {
  readonly #maxEvents: number
  readonly #maxBytes: number | undefined
  readonly #queue: EventQueue
  readonly #inFlight = new Set<MemoryBatch>()
  #inFlightEvents = 0
  /**
   * Evictions owed by events in flight. Over the bound, the oldest events may be on the
   * wire: they cannot be dropped there, so the drop is deferred. If their send fails, they
   * come back only to be dropped; if it succeeds, nothing is lost. Dropping newer waiting
   * events instead would keep the oldest ones and leave gaps.
   */
  #owed = 0
  #owedBytes = 0
  #bytes = 0
  #seq = 0
  #dropped = 0
  #expired = 0

  constructor (options: MemoryCacheOptions) {
    this.#maxEvents = options.maxEvents
    this.#maxBytes = options.maxBytes
    this.#queue = new EventQueue({ trackSizes: this.#maxBytes !== undefined, trackSeqs: true, bytes: true })
  }

  add (event: string, time: number): void {
    // The queue measures the event as it writes its bytes: no second pass for the byte bound.
    const size = this.#queue.push(event, time, 0, ++this.#seq)
    if (this.#maxBytes !== undefined) this.#bytes += size
    if (this.#queue.length + this.#inFlightEvents - this.#owed > this.#maxEvents ||
        (this.#maxBytes !== undefined && this.#bytes - this.#owedBytes > this.#maxBytes)) {
      this.#evict()
    }
  }

  async take (max: number): Promise<CachedBatch> {
    const batch = new MemoryBatch(this.#queue, this.#queue.shiftSlots(max))
    if (batch.count === 0) return batch
    for (const size of batch.sizes) batch.size += size
    this.#inFlight.add(batch)
    this.#inFlightEvents += batch.count
    return batch
  }

  async ack (batch: CachedBatch): Promise<void> {
    await this.release(batch, batch.count ?? batch.events.length)
  }

  async release (batch: CachedBatch, delivered = 0): Promise<void> {
    if (!(batch instanceof MemoryBatch) || !this.#inFlight.delete(batch)) return
    const n = batch.count
    const done = Math.min(Math.max(0, Math.floor(delivered)), n)
    this.#inFlightEvents -= n
    this.#owed -= batch.owed
    this.#owedBytes -= batch.owedBytes
    // Delivered events leave, the evictions they owed forgiven; owed events that did not
    // arrive are dropped now (they are the batch's oldest); the rest waits again.
    const back = Math.max(done, batch.owed)
    this.#dropped += back - done
    let leaving = batch.size
    for (let i = back; i < n; i++) leaving -= batch.sizes[i] ?? 0
    this.#bytes -= leaving
    if (back < n) {
      // Back in the queue as text again (a failed send is rare: read and written once more).
      const { slots } = batch
      const events = new Array<string>(n)
      for (let i = back; i < n; i++) events[i] = this.#queue.read(slots, i)
      this.#queue.restoreSorted(events, slots.times, slots.sizes, slots.seqs, back)
    }
    this.#queue.free(batch.slots)
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

  /** Drops whatever is still pending; the handler counts it as dropped on close. */
  async close (): Promise<void> {
    this.#dropped += this.#queue.length + this.#inFlightEvents
    this.#queue.clear()
    this.#inFlight.clear()
    this.#inFlightEvents = 0
    this.#owed = 0
    this.#owedBytes = 0
    this.#bytes = 0
  }

  // Oldest first, wherever it is: the oldest event in flight not owed yet is owed (see
  // #owed), the oldest waiting one is dropped.
  #evict (): void {
    const maxBytes = this.#maxBytes
    while (this.#queue.length + this.#inFlightEvents - this.#owed > this.#maxEvents ||
      (maxBytes !== undefined && this.#bytes - this.#owedBytes > maxBytes)) {
      const flying = this.#oldestNotOwed()
      if (flying !== undefined && (this.#queue.length === 0 || (flying.seqs[flying.owed] as number) < this.#queue.peekSeq())) {
        this.#owe(flying)
      } else if (this.#queue.length > 0) {
        this.#bytes -= this.#queue.dropFirst()
        this.#dropped++
      } else {
        return
      }
    }
  }

  // The batch in flight holding the oldest event not owed yet. Each batch is in order, so
  // what it owes is always its oldest events: a prefix.
  #oldestNotOwed (): MemoryBatch | undefined {
    let oldest: MemoryBatch | undefined
    for (const batch of this.#inFlight) {
      if (batch.owed === batch.count) continue
      if (oldest === undefined || (batch.seqs[batch.owed] as number) < (oldest.seqs[oldest.owed] as number)) oldest = batch
    }
    return oldest
  }

  #owe (batch: MemoryBatch): void {
    const size = batch.sizes[batch.owed] ?? 0
    batch.owed++
    batch.owedBytes += size
    this.#owed++
    this.#owedBytes += size
  }
}
