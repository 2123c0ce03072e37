import type { Cache, CacheCounts, CachedBatch } from './types'
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
    if (this.#queue.length + this.#inFlightEvents > this.#maxEvents ||
        (this.#maxBytes !== undefined && this.#bytes > this.#maxBytes)) {
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
  }

  async release (batch: CachedBatch): Promise<void> {
    if (!(batch instanceof MemoryBatch) || !this.#inFlight.delete(batch)) return
    this.#inFlightEvents -= batch.events.length
    // Back to the front, oldest first, so FIFO order survives a failed send.
    for (let i = batch.events.length - 1; i >= 0; i--) {
      this.#queue.unshift(batch.events[i] as string, batch.times[i] as number, batch.sizes[i] ?? 0)
    }
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

  /** Drops whatever is still pending; the handler counts it as dropped on close. */
  async close (): Promise<void> {
    this.#dropped += this.#queue.length + this.#inFlightEvents
    this.#queue.clear()
    this.#inFlight.clear()
    this.#inFlightEvents = 0
    this.#bytes = 0
  }

  // Oldest pending first; events in flight cannot be dropped (they may be on the wire).
  #evict (): void {
    while (this.#queue.length > 0 &&
      (this.#queue.length + this.#inFlightEvents > this.#maxEvents ||
       (this.#maxBytes !== undefined && this.#bytes > this.#maxBytes))) {
      this.#bytes -= this.#queue.dropFirst()
      this.#dropped++
    }
  }
}
