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

  /** The events from memory on the wire with a sequence number above `seq`, oldest first (copied). */
  copyAfter (seq: number): Drained {
    const copied: Drained = { events: [], times: [], sizes: [], seqs: [] }
    for (const batch of this.#batches) {
      if (!(batch instanceof MemoryBatch) || (batch.seqs[batch.seqs.length - 1] ?? 0) <= seq) continue
      for (let i = 0; i < batch.seqs.length; i++) {
        if ((batch.seqs[i] as number) <= seq) continue
        copied.events.push(batch.events[i] as string)
        copied.times.push(batch.times[i] as number)
        copied.seqs.push(batch.seqs[i] as number)
      }
    }
    return copied
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
