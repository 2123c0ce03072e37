import type { LogstashError } from '../errors'

/** What the failed send had already settled: its first `count` events, `dropped` of them refused. */
export interface Settled {
  count: number
  dropped: number
  error: LogstashError | undefined
}

/**
 * Where the retry of a partly delivered batch starts. A send that goes out in several parts
 * (Beats windows, HTTP requests under `maxContentLength`) can fail after some parts were
 * delivered; the worker then hands the same batch back, and resending those parts would
 * duplicate them. The transport remembers the settled head of the failed batch, and the
 * next send skips it if, and only if, it begins with exactly the same events.
 */
export class ResumePoint {
  #head: readonly string[] | undefined
  #dropped = 0
  #error: LogstashError | undefined

  /** After a failed send: its first `settled.count` events need not be sent again. */
  remember (events: readonly string[], settled: Settled): void {
    if (settled.count === 0) { this.forget(); return }
    this.#head = events.slice(0, settled.count)
    this.#dropped = settled.dropped
    this.#error = settled.error
  }

  /**
   * What of `events` was settled by the previous, failed send of the same batch (nothing
   * if `events` is another batch). Forgets it: the caller now owns that state.
   */
  take (events: readonly string[]): Settled {
    const head = this.#head
    const settled: Settled = { count: 0, dropped: this.#dropped, error: this.#error }
    this.forget()
    if (head === undefined || head.length > events.length) return { count: 0, dropped: 0, error: undefined }
    for (let i = 0; i < head.length; i++) {
      if (head[i] !== events[i]) return { count: 0, dropped: 0, error: undefined }
    }
    settled.count = head.length
    return settled
  }

  /** Drops what was remembered. */
  forget (): void {
    this.#head = undefined
    this.#dropped = 0
    this.#error = undefined
  }
}
