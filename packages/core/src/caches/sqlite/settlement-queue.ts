import type { Settlement } from './thread-protocol'

/** A settlement on its way, with what a release needs if the file was replaced meanwhile. */
export interface Queued {
  settlement: Settlement
  /** For a release of rows read back: their events, kept in case the file was replaced meanwhile. */
  events: readonly string[]
}

/**
 * Deletes and releases of this cache's rows, on their way to the file. They ride with the
 * next write (one transaction less per batch); until a write that carried them has
 * committed they are kept, so that the exit path can apply them again (they are
 * idempotent, and a delete of rows that were never written deletes nothing).
 */
export class SettlementQueue {
  #queued: Queued[] = []
  #unconfirmed: Queued[] = []

  get length (): number { return this.#queued.length }

  add (kind: 'delete' | 'release', from: number, to: number, generation: number, events: readonly string[] = [], delivered = 0): void {
    this.#queued.push({ settlement: { kind, from, to, generation, ...(delivered > 0 ? { delivered } : {}) }, events })
  }

  /** Takes what is queued, for a write; `settled` or `lost` tell what became of it. */
  take (): Queued[] {
    const taken = this.#queued
    this.#queued = []
    this.#unconfirmed.push(...taken)
    return taken
  }

  /** A write committed: it applied what it carried and everything that failed before. */
  settled (): void {
    this.#unconfirmed = []
  }

  /** The thread died, and with it what it was to retry: send everything not known to be in again. */
  lost (): void {
    this.#queued = this.#unconfirmed.concat(this.#queued)
    this.#unconfirmed = []
  }

  /** Everything not known to be in the file, for the last write. */
  all (): Settlement[] {
    return this.#unconfirmed.concat(this.#queued).map((q) => q.settlement)
  }
}
