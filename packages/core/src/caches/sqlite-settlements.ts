import type { FileBatch } from './sqlite-batches'
import type { Settlement } from './sqlite-protocol'

interface Queued { settlement: Settlement, batch: FileBatch }

/**
 * Acks and releases of batches taken from the file, on their way to it. They ride with
 * the next write (one transaction less per batch); until a write that carried them has
 * committed they are kept, so that the exit path can apply them again (they are
 * idempotent).
 */
export class SettlementQueue {
  #queued: Queued[] = []
  #unconfirmed: Settlement[] = []

  get length (): number { return this.#queued.length }

  add (kind: 'delete' | 'release', batch: FileBatch): void {
    this.#queued.push({ settlement: { kind, claim: batch.claim, count: batch.events.length, bytes: batch.bytes, generation: batch.generation }, batch })
  }

  /** Takes what is queued, for a write; `settled` or `lost` tell what became of it. */
  take (): Queued[] {
    const taken = this.#queued
    this.#queued = []
    for (const { settlement } of taken) this.#unconfirmed.push(settlement)
    return taken
  }

  /** A write committed: it applied what it carried and everything that failed before. */
  settled (): void {
    this.#unconfirmed = []
  }

  /** The thread died with `taken` (and what it was to retry): send them again. */
  lost (taken: Queued[]): void {
    this.#queued = taken.concat(this.#queued)
    this.#unconfirmed = []
  }

  /** Everything not known to be in the file, for the last write. */
  all (): Settlement[] {
    return this.#unconfirmed.concat(this.#queued.map((q) => q.settlement))
  }
}
