import type { Cache } from './contracts'

/**
 * The persist tick of a persistent cache: about every flush interval while events come in,
 * and after, as long as the cache asks for more (its write failed, or it holds rows). It is
 * independent of the sends: a send may hang for timeoutMs and a backoff last maxDelayMs, and
 * what is logged meanwhile should not wait that long for the disk. The tick itself runs one
 * turn later, after the sends its moment started (a TCP write is done by then): what they
 * delivered need not be written.
 */
export class PersistTick {
  readonly #cache: Cache
  readonly #intervalMs: number
  readonly #onError: (err: unknown) => void
  #timer: NodeJS.Timeout | undefined
  #keepAlive = false
  #stopped = false

  constructor (cache: Cache, intervalMs: number, onError: (err: unknown) => void) {
    this.#cache = cache
    this.#intervalMs = intervalMs
    this.#onError = onError
  }

  /** Events came in: a tick within the interval, unless one is armed. */
  arm (): void {
    if (this.#timer !== undefined || this.#stopped || this.#cache.persist === undefined) return
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (this.#timer === timer) this.#timer = undefined
        if (this.#stopped) return
        this.#cache.persist?.().then((again) => {
          // The cache asks for another tick even if nothing more is logged (its write failed).
          if (again === true) this.arm()
        }, this.#onError)
      })
    }, this.#intervalMs)
    this.#timer = timer
    if (!this.#keepAlive) timer.unref()
  }

  /** While on, the tick holds the process (the exit flush). */
  setKeepAlive (on: boolean): void {
    this.#keepAlive = on
    if (on) this.#timer?.ref(); else this.#timer?.unref()
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
