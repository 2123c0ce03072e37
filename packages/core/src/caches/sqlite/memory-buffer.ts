import { DroppedEventsError } from '../../errors'
import { EventQueue } from '../event-queue'
import { MemoryBatch } from './batches'

/** Events moved out of the buffer, oldest first; `sizes` only filled when a byte bound is kept. */
export interface Drained {
  events: string[]
  times: number[]
  sizes: number[]
  seqs: number[]
}

/** Sequence numbers `from..to`: a run of events dropped from memory. */
export interface SeqRange { from: number, to: number }

/**
 * The runs of consecutive sequence numbers among `seqs[from..to)` (ascending). Rows of
 * this cache are settled by ranges of claims; a batch that spans numbers of another batch
 * (one came back and went out again while the other was on the wire) must be settled run
 * by run, or the range would take the other batch's rows along.
 */
export function seqRuns (seqs: readonly number[], from = 0, to = seqs.length): SeqRange[] {
  const runs: SeqRange[] = []
  for (let i = from; i < to; i++) {
    const seq = seqs[i] as number
    const last = runs[runs.length - 1]
    if (last !== undefined && last.to + 1 === seq) last.to = seq
    else runs.push({ from: seq, to: seq })
  }
  return runs
}

/**
 * The SQLite cache's memory side: the events waiting to be sent, in order, bounded like the
 * memory cache (oldest dropped and counted). Each event gets a sequence number, ascending,
 * so `flush()` can tell which are older than its call, and the cache which of them it has
 * written to the file already (those up to a number: they are the oldest).
 */
export class MemoryBuffer {
  readonly #queue: EventQueue
  readonly #maxEvents: number
  readonly #maxBytes: number | undefined
  #bytes = 0
  /** Events added so far: the sequence number of the newest. */
  seq = 0
  /** Events dropped by the bound, in all. */
  dropped = 0
  /** Events dropped since `takeUnreportedDrops()` was last called. */
  #unreported = 0
  /** Sequence numbers of the events dropped (bound or TTL) since `takeRemoved()`. */
  #removed: SeqRange[] = []

  constructor (maxEvents: number, maxBytes: number | undefined) {
    this.#maxEvents = maxEvents
    this.#maxBytes = maxBytes
    this.#queue = new EventQueue({ trackSizes: maxBytes !== undefined, trackSeqs: true })
  }

  get length (): number { return this.#queue.length }

  /** Whether it holds an event with a sequence number up to `seq`. */
  holdsUpTo (seq: number): boolean {
    return this.#queue.length > 0 && this.#queue.peekSeq() <= seq
  }

  /** Whether it holds an event with a sequence number above `seq`. */
  holdsAfter (seq: number): boolean {
    return this.#queue.length > 0 && this.#queue.peekLastSeq() > seq
  }

  /** The hot path: one push, and a byte count only when a byte bound is set. */
  add (event: string, time: number): void {
    let size = 0
    if (this.#maxBytes !== undefined) {
      size = Buffer.byteLength(event)
      this.#bytes += size
    }
    this.#queue.push(event, time, size, ++this.seq)
    if (this.#queue.length > this.#maxEvents || (this.#maxBytes !== undefined && this.#bytes > this.#maxBytes)) this.#evict()
  }

  /** Takes up to `max` of the oldest events out, for a write to the file. */
  drain (max = Infinity): Drained {
    const drained: Drained = { events: [], times: [], sizes: [], seqs: [] }
    this.#queue.shiftInto(max, drained.events, drained.times, drained.sizes, drained.seqs)
    for (const size of drained.sizes) this.#bytes -= size
    return drained
  }

  /** Copies the newest events, those with a sequence number above `seq`, leaving them here. */
  copyAfter (seq: number): Drained {
    const copied: Drained = { events: [], times: [], sizes: [], seqs: [] }
    if (this.#queue.length > 0 && this.seq > seq) this.#queue.copyAfter(seq, copied.events, copied.times, copied.seqs)
    return copied
  }

  /**
   * Puts events (from index `from` on) back where their sequence numbers place them, after a
   * failed write or send: in front of newer events, in order with others put back.
   */
  restore ({ events, times, sizes, seqs }: Drained, from = 0): void {
    if (this.#maxBytes !== undefined) {
      for (let i = from; i < events.length; i++) {
        const size = sizes[i] ?? Buffer.byteLength(events[i] as string)
        sizes[i] = size
        this.#bytes += size
      }
    }
    this.#queue.restoreSorted(events, times, sizes, seqs, from)
    this.#evict()
  }

  /** Up to `max` of the oldest events, to be sent straight from memory. */
  takeBatch (max: number): MemoryBatch {
    const batch = new MemoryBatch()
    this.#queue.shiftInto(max, batch.events, batch.times, batch.sizes, batch.seqs)
    for (const size of batch.sizes) this.#bytes -= size
    return batch
  }

  /** Drops events logged before `cutoff`; returns how many. */
  expire (cutoff: number): number {
    let count = 0
    while (this.#queue.length > 0 && this.#queue.peekTime() < cutoff) {
      this.#dropFirst()
      count++
    }
    return count
  }

  /** Events dropped by the bound since the last call, as a report for `onError`. */
  takeDropReport (path: string): DroppedEventsError | undefined {
    const n = this.#unreported
    this.#unreported = 0
    return n === 0 ? undefined : new DroppedEventsError(`${n} oldest events dropped from memory: more than cache.maxEvents (or cache.maxBytes) were waiting to be sent or written to the SQLite cache ${path}`, n)
  }

  /** The sequence numbers dropped (bound or TTL) since the last call: their rows, if any, must go too. */
  takeRemoved (): SeqRange[] {
    const removed = this.#removed
    this.#removed = []
    return removed
  }

  #evict (): void {
    while (this.#queue.length > 0 &&
      (this.#queue.length > this.#maxEvents || (this.#maxBytes !== undefined && this.#bytes > this.#maxBytes))) {
      this.#dropFirst()
      this.dropped++
      this.#unreported++
    }
  }

  // Always the oldest, so drops in a row are one run of sequence numbers; a batch taken in
  // between (its numbers are not dropped) starts another.
  #dropFirst (): void {
    const seq = this.#queue.peekSeq()
    const last = this.#removed[this.#removed.length - 1]
    if (last !== undefined && last.to + 1 === seq) last.to = seq
    else this.#removed.push({ from: seq, to: seq })
    this.#bytes -= this.#queue.dropFirst()
  }
}
