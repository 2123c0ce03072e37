interface FlushWaiter {
  /**
   * Resolved once this many events (counted from the handler's start) are settled, or, with
   * a cache shared between processes, once the cache says its mark is flushed.
   */
  target: number
  mark: unknown
  resolve: (settled: boolean) => void
}

/** Whether everything up to `target` (or the cache's `mark`) is settled. */
export type IsSettled = (target: number, mark: unknown) => boolean

/** The `flush()` calls waiting, each until its events are settled or its time is up. */
export class FlushWaiters {
  readonly #isSettled: IsSettled
  #waiters: FlushWaiter[] = []

  constructor (isSettled: IsSettled) {
    this.#isSettled = isSettled
  }

  get length (): number { return this.#waiters.length }

  /**
   * Resolves `true` once everything up to `target` (or `mark`) is settled, `false` after
   * `timeoutMs`; `keepAlive`: the deadline holds the process meanwhile.
   */
  async wait (target: number, mark: unknown, timeoutMs: number, keepAlive: boolean): Promise<boolean> {
    let settled = false
    let waiter: FlushWaiter | undefined
    const done = new Promise<void>((resolve) => {
      waiter = { target, mark, resolve: (ok) => { settled = ok; resolve() } }
      this.#waiters.push(waiter)
    })
    let deadline: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, timeoutMs)
      if (!keepAlive) deadline.unref()
    })
    await Promise.race([done, timedOut])
    clearTimeout(deadline)
    this.#waiters = this.#waiters.filter((w) => w !== waiter)
    return settled
  }

  /** Resolves the waiters whose events are settled; with `all`, the others too, as not settled. */
  resolve (all: boolean): void {
    if (this.#waiters.length === 0) return
    const remaining: FlushWaiter[] = []
    for (const waiter of this.#waiters) {
      if (this.#isSettled(waiter.target, waiter.mark)) waiter.resolve(true)
      else if (all) waiter.resolve(false)
      else remaining.push(waiter)
    }
    this.#waiters = remaining
  }
}
