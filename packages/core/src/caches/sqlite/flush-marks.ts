import type { FlushMark } from './batches'

/**
 * The marks `flush()` calls wait on, held weakly (a flush that timed out drops its mark),
 * so that events written to the file after a call still count for it when they were
 * logged before it.
 */
export class FlushMarks {
  readonly #marks = new Set<WeakRef<FlushMark>>()

  /** A new mark: every event up to `seq`, and every row up to `id`. */
  create (seq: number, id: number): FlushMark {
    const mark: FlushMark = { seq, id }
    this.#marks.add(new WeakRef(mark))
    return mark
  }

  /** Events from `firstSeq` on went to the file, the last as row `lastId`. */
  written (firstSeq: number, lastId: number): void {
    for (const ref of this.#marks) {
      const mark = ref.deref()
      if (mark === undefined) this.#marks.delete(ref)
      else if (firstSeq <= mark.seq) mark.id = Math.max(mark.id, lastId)
    }
  }

  /** The file was replaced: its row ids mean nothing now. */
  reset (): void {
    for (const ref of this.#marks) {
      const mark = ref.deref()
      if (mark === undefined) this.#marks.delete(ref)
      else mark.id = 0
    }
  }
}
