/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` in UTC (Logstash's `@timestamp`). `toISOString()` costs a
 * Date and a full conversion per call; events logged within the same second share the
 * first 20 characters, so those are cached and only the milliseconds are appended.
 */
export class TimestampFormatter {
  #second = Number.NaN
  #prefix = ''

  format (time: number): string {
    const second = Math.floor(time / 1000)
    if (second !== this.#second) {
      const iso = new Date(second * 1000).toISOString()
      // Years outside 0000-9999 have a different shape: no caching for them.
      if (iso.length !== 24) return new Date(time).toISOString()
      this.#second = second
      this.#prefix = iso.slice(0, 20)
    }
    const ms = time - second * 1000
    const msInt = Math.floor(ms)
    return this.#prefix + (msInt < 10 ? '00' : msInt < 100 ? '0' : '') + msInt + 'Z'
  }
}
