/** A received Logstash event; every non-core field is under `extra`. */
export type LogstashEvent = Record<string, unknown> & { message?: string, level?: string, extra?: Record<string, unknown> }

/** The `extra` object of an event (where request and record fields are). */
export function extra (event: LogstashEvent): Record<string, unknown> {
  return (event.extra ?? {}) as Record<string, unknown>
}

/** Events with this message. */
export function withMessage (events: readonly LogstashEvent[], message: string): LogstashEvent[] {
  return events.filter((event) => event.message === message)
}

/** Access events: the ones with a duration. */
export function accessEvents (events: readonly LogstashEvent[]): LogstashEvent[] {
  return events.filter((event) => extra(event).duration_ms !== undefined)
}

/** Error events: the ones with an error type that are not access events. */
export function errorEvents (events: readonly LogstashEvent[]): LogstashEvent[] {
  return events.filter((event) => extra(event).error_type !== undefined && extra(event).duration_ms === undefined)
}
