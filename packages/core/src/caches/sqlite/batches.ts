import type { CachedBatch } from '../../contracts'

/**
 * Rows taken from the file, read back (they may come from another process or an earlier
 * run): deleted on ack, pending again on release, by their claim (a negative number).
 */
export class FileBatch implements CachedBatch {
  constructor (
    readonly events: readonly string[],
    readonly claim: number,
    /** Which file the claim is in: a corrupt file replaced meanwhile makes it void. */
    readonly generation: number
  ) {}
}

/**
 * Events sent straight from memory, with their sequence numbers. Most are delivered before
 * a persist tick comes and never touch the file; those written meanwhile are rows claimed
 * by this cache (claim = sequence number), deleted on ack.
 */
export class MemoryBatch implements CachedBatch {
  readonly events: string[] = []
  readonly times: number[] = []
  readonly sizes: number[] = []
  readonly seqs: number[] = []
}

/** A batch that holds nothing; taking it needs no ack. */
export const EMPTY_BATCH: CachedBatch = Object.freeze({ events: Object.freeze([]) as readonly string[] })

/**
 * What `flush()` waits for: every event added up to `seq` has left memory, and no row with
 * an id up to `id` is left in the file (this cache's rows up to then, and whatever older
 * rows other processes or earlier runs left ahead of them: the file is FIFO).
 */
export interface FlushMark {
  readonly seq: number
  id: number
}
