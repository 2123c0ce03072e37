import type { LogstashError } from './errors'

const WINDOW_MS = 60_000

/** The default `onError`: one short line on stderr. Never logs through a handler (no recursion). */
export function writeErrorLine (err: LogstashError): void {
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  try {
    process.stderr.write(`[logstash-async] ${err.name} (${err.code}): ${err.message}${cause}\n`)
  } catch {
    // stderr itself is gone (EPIPE): nothing sensible is left to do.
  }
}

/**
 * Passes the handler's own problems to `onError`, at most `limit` per minute per kind
 * (the error's `code`), never synchronously inside the caller, and never lets the
 * callback's own exception escape. Suppressed reports are counted and mentioned in the
 * next report of the same kind.
 */
export class ErrorReporter {
  readonly #onError: (err: LogstashError) => void
  readonly #limit: number
  readonly #windows = new Map<string, { start: number, count: number, suppressed: number }>()

  /** The last error seen, reported or not, for `stats().lastError`. */
  last: LogstashError | undefined

  constructor (onError: ((err: LogstashError) => void) | undefined, limit: number) {
    this.#onError = onError ?? writeErrorLine
    this.#limit = limit
  }

  report (err: LogstashError): void {
    this.last = err
    const now = Date.now()
    let window = this.#windows.get(err.code)
    if (window === undefined || now - window.start >= WINDOW_MS) {
      const suppressed = window?.suppressed ?? 0
      window = { start: now, count: 0, suppressed: 0 }
      this.#windows.set(err.code, window)
      if (suppressed > 0) err.message += ` (${suppressed} similar reports suppressed in the last minute)`
    }
    if (window.count >= this.#limit) {
      window.suppressed++
      return
    }
    window.count++
    queueMicrotask(() => {
      try {
        this.#onError(err)
      } catch (callbackError) {
        writeErrorLine(err)
        process.emitWarning(`onError threw: ${(callbackError as Error)?.message ?? String(callbackError)}`, { code: 'LOGSTASH_ON_ERROR_THREW' })
      }
    })
  }
}
