import { requestContext } from './context'
import type { Formatter } from './contracts'
import { FormatError } from './errors'
import type { ErrorReporter } from './error-reporter'
import { describeError, truncate } from './formatters/json-safe'
import { mergeFields } from './formatters/merge-fields'
import { messageText, problemText } from './formatters/message'
import { isValidTime, type LogRecord } from './record'

/**
 * The step from a record to the event string that both handlers share: the record's time
 * made usable, the formatter called with the active request context, and, when the
 * formatter throws, a fallback event sent instead and the problem reported to `onError`.
 * Never throws.
 */
export class EventMaker {
  readonly #formatter: Formatter
  readonly #reporter: ErrorReporter
  /** The time the last event made carries, in milliseconds since the epoch. */
  time = 0
  /** Records the formatter could not format (a fallback event was sent for each). */
  failures = 0

  constructor (formatter: Formatter, reporter: ErrorReporter) {
    this.#formatter = formatter
    this.#reporter = reporter
  }

  /**
   * The event for `record`; `time` then holds the time it carries. A record without a
   * time gets the current time; so does one whose time is not a number of milliseconds
   * within the Date range, and its event says so in an `invalid_time` field holding what
   * the record had. The caller's record is never changed.
   */
  make (record: LogRecord): string {
    let current = record
    let time: unknown
    try {
      time = record.time
      if (!isValidTime(time)) {
        current = withValidTime(record, time)
        time = current.time
      }
      this.time = time as number
      return this.#formatter.format(current, requestContext.get())
    } catch (err) {
      const validTime = isValidTime(time) ? time : Date.now()
      this.time = validTime
      this.failures++
      this.#reporter.report(new FormatError(`formatter failed, a minimal event was sent instead: ${describeError(err)}`, { cause: err }))
      return this.#fallback(current, validTime, err)
    }
  }

  #fallback (record: LogRecord, time: number, err: unknown): string {
    const own = this.#formatter.fallback
    if (typeof own === 'function') {
      try {
        const event: unknown = own.call(this.#formatter, record, err)
        if (typeof event === 'string') return event
      } catch { /* the formatter's own fallback failed too: the generic one below */ }
    }
    return fallbackEvent(record, time, err)
  }
}

// A copy: the caller's record may be frozen, or shared.
function withValidTime (record: LogRecord, time: unknown): LogRecord {
  if (time instanceof Date) {
    // A Date where a number was expected (an untyped caller): its time, when it has one.
    const ms = safeGetTime(time)
    if (isValidTime(ms)) return { ...record, time: ms }
  }
  const copy: LogRecord = { ...record, time: Date.now() }
  if (time === undefined) return copy
  let note: string
  try {
    note = typeof time === 'number' ? String(time) : `${typeof time}: ${messageText(time).slice(0, 100)}`
  } catch {
    note = typeof time
  }
  copy.fields = mergeFields(copy.fields, { invalid_time: note })
  return copy
}

/**
 * The event sent when a formatter without a `fallback()` of its own throws: the record's
 * core facts in Logstash's shape, and what went wrong in `format_error`. Never throws.
 */
export function fallbackEvent (record: LogRecord, time: number, err: unknown): string {
  const read = (key: keyof LogRecord): unknown => {
    try { return record[key] } catch (e) { return `[Getter threw: ${describeError(e)}]` }
  }
  let message: string
  try { message = messageText(read('message')) } catch { message = '[unprintable message]' }
  let level: string
  try { level = String(read('level')).toUpperCase() } catch { level = 'INFO' }
  return JSON.stringify({
    '@timestamp': new Date(isValidTime(time) ? time : Date.now()).toISOString(),
    '@version': '1',
    level: truncate(level, 100),
    message,
    format_error: problemText(err)
  })
}

function safeGetTime (date: Date): number | undefined {
  try {
    return Date.prototype.getTime.call(date)
  } catch {
    return undefined
  }
}
