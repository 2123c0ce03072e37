import type { FlushMark } from './batches'
import { FlushMarks } from './flush-marks'
import type { FileState } from './thread-protocol'

/** What the main thread knows about the file: the thread's last word on it, and the flush marks. */
export class FileStatus {
  state: FileState = { available: false, pending: 0, oldestId: undefined, generation: 0 }
  /** The thread reported the file's state, or there was no file to leave rows in. */
  known: boolean
  /** The thread opened the file (or gave up): `flush()` waits for that. */
  ready = false
  readonly #marks = new FlushMarks()
  /** Largest id this cache put in the file (or, at open, an earlier run left). */
  #lastId = 0
  readonly #onReplaced: () => void

  /** `onReplaced` runs when a corrupt file was replaced: its rows are gone. */
  constructor (known: boolean, onReplaced: () => void) {
    this.known = known
    this.#onReplaced = onReplaced
  }

  update (state: FileState): void {
    if (state.generation !== this.state.generation) {
      // A corrupt file was replaced: its ids and rows are gone.
      this.#lastId = 0
      this.#marks.reset()
      this.#onReplaced()
    }
    this.state = state
  }

  /** The thread opened the file, which held rows up to `newestId`. */
  opened (state: FileState, newestId: number): void {
    this.known = true
    this.ready = true
    this.update(state)
    // Rows left by earlier runs are part of what a first flush() waits for.
    this.written(0, newestId)
  }

  /** Events from `firstSeq` on went to the file, the last as row `lastId`. */
  written (firstSeq: number, lastId: number): void {
    this.#lastId = Math.max(this.#lastId, lastId)
    this.#marks.written(firstSeq, this.#lastId)
  }

  /** A mark for `flush()`: every event up to `seq`, and every row in the file so far. */
  mark (seq: number): FlushMark {
    return this.#marks.create(seq, this.#lastId)
  }

  /** Whether no row with an id up to `id` is left in the file, as of the last reply. */
  clearedUpTo (id: number): boolean {
    if (id === 0) return true
    const { available, oldestId } = this.state
    return available && (oldestId === undefined || oldestId > id)
  }
}
