// Below this, a number is seconds (pino's `stdTimeFunctions.unixTime`): 1e11 ms is 1973, 1e11 s the year 5138.
const SECONDS_BELOW = 1e11

/**
 * pino's `time`: epoch milliseconds (the default and `epochTime`), epoch seconds
 * (`unixTime`), or an ISO string (`isoTime`, `isoTimeNano`). Missing (`nullTime`,
 * `timestamp: false`) or unreadable: now.
 */
export function pinoTime (value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value < SECONDS_BELOW ? value * 1000 : value
  if (typeof value === 'string') {
    const parsed = Date.parse(value)
    if (Number.isFinite(parsed)) return parsed
  }
  return Date.now()
}
