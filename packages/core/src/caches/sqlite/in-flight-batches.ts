import { FileBatch, MemoryBatch } from './batches'
import type { Drained } from './memory-buffer'
import type { CachedBatch } from '../../contracts'

/** The SQLite cache's batches on the wire, in the order they were taken, and their event count. */
export class InFlightBatches {
  readonly #batches = new Set<FileBatch | MemoryBatch>()
  /** Events in all of them. */
  events = 0

  get size (): number { return this.#batches.size }

  track<T extends FileBatch | MemoryBatch> (batch: T): T {
    this.#batches.add(batch)
    this.events += batch.events.length
    return batch
  }

  /** False for a batch that is not (or no longer) in flight: a second ack or release. */
  untrack (batch: CachedBatch): batch is FileBatch | MemoryBatch {
    if (!(batch instanceof FileBatch || batch instanceof MemoryBatch) || !this.#batches.delete(batch)) return false
    this.events -= batch.events.length
    return true
  }

  /**
   * The events from memory on the wire with a sequence number above `seq`, in the order of
   * their sequence numbers (copied). Batches are mostly taken in that order; one that came
   * back and went out again can be older than those sent meanwhile.
   */
  copyAfter (seq: number): Drained {
    const copied: Drained = { events: [], times: [], sizes: [], seqs: [] }
    let sorted = true
    for (const batch of this.#batches) {
      if (!(batch instanceof MemoryBatch) || (batch.seqs[batch.seqs.length - 1] ?? 0) <= seq) continue
      for (let i = 0; i < batch.seqs.length; i++) {
        const s = batch.seqs[i] as number
        if (s <= seq) continue
        if (s < (copied.seqs[copied.seqs.length - 1] ?? 0)) sorted = false
        copied.events.push(batch.events[i] as string)
        copied.times.push(batch.times[i] as number)
        copied.seqs.push(s)
      }
    }
    return sorted ? copied : sortBySeq(copied)
  }

  /** Whether a batch from memory holds an event with a sequence number above `seq`. */
  holdsAfter (seq: number): boolean {
    for (const batch of this.#batches) {
      if (batch instanceof MemoryBatch && (batch.seqs[batch.seqs.length - 1] ?? 0) > seq) return true
    }
    return false
  }

  /** Whether a batch from memory holds an event with a sequence number up to `seq`. */
  holdsUpTo (seq: number): boolean {
    for (const batch of this.#batches) {
      if (batch instanceof MemoryBatch && (batch.seqs[0] ?? Infinity) <= seq) return true
    }
    return false
  }
}

function sortBySeq (events: Drained): Drained {
  const order = events.seqs.map((_, i) => i).sort((a, b) => (events.seqs[a] as number) - (events.seqs[b] as number))
  return {
    events: order.map((i) => events.events[i] as string),
    times: order.map((i) => events.times[i] as number),
    sizes: [],
    seqs: order.map((i) => events.seqs[i] as number)
  }
}
