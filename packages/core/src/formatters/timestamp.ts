import { flatString } from './event-parts'

/** `000Z` to `999Z`: the end of a timestamp for each millisecond, one string each. */
const MILLISECONDS: readonly string[] = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0') + 'Z')

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` in UTC (Logstash's `@timestamp`), after a constant `lead` (the
 * JSON before it, `{"@timestamp":"`). `toISOString()` costs a Date and a full conversion
 * per call; events logged within the same second share the lead and the first 20
 * characters, so those are kept as one string, and the milliseconds come from a table: an
 * event's timestamp is two strings joined, not five (see flatString in event-parts.ts).
 */
export class TimestampFormatter {
  readonly #lead: string
  #second = Number.NaN
  #prefix = ''

  constructor (lead = '') {
    this.#lead = lead
  }

  /** The lead and the timestamp of `time` (milliseconds since the epoch, within the Date range). */
  format (time: number): string {
    // A Date drops a fraction of a millisecond towards zero (TimeClip): so does this.
    time = Math.trunc(time)
    const second = Math.floor(time / 1000)
    if (second !== this.#second) {
      const iso = new Date(second * 1000).toISOString()
      // Years outside 0000-9999 have a different shape: no caching for them.
      if (iso.length !== 24) return this.#lead + new Date(time).toISOString()
      this.#second = second
      this.#prefix = flatString(this.#lead + iso.slice(0, 20))
    }
    return this.#prefix + (MILLISECONDS[time - second * 1000] as string)
  }
}
