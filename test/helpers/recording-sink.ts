import { LogstashFormatter, requestContext, type Level, type LogRecord } from '@logstash-async/core'
import { waitFor } from './wait'

/** One event as Logstash would get it: the LogstashFormatter's JSON, every field at the top level. */
export type RecordedEvent = Record<string, unknown> & { message: string, level: string, request_id?: string }

/** The response headers the contract checks in `resp_headers`. */
export const LOGGED_HEADERS = ['x-answer', 'content-type']

/**
 * A handler that formats each record with the real LogstashFormatter, reading the request
 * context at the call as `LogstashHandler` does, and keeps the events in order. It has
 * `flush()` and `close()`, so every adapter takes it as its handler.
 */
export class RecordingSink {
  readonly events: RecordedEvent[] = []
  readonly #formatter = new LogstashFormatter({ extraPrefix: '', headers: LOGGED_HEADERS })

  log (record: LogRecord): void {
    this.events.push(JSON.parse(this.#formatter.format(record, requestContext.get())) as RecordedEvent)
  }

  isLevelEnabled (_level: Level): boolean { return true }
  async flush (): Promise<boolean> { return true }
  async close (): Promise<void> {}

  /** The events of the request whose id is `id`, in the order they were logged. */
  of (id: string): RecordedEvent[] {
    return this.events.filter((e) => e.request_id === id)
  }

  /** The access events (they carry `duration_ms`) of the request `id`. */
  access (id: string): RecordedEvent[] {
    return this.of(id).filter((e) => e.duration_ms !== undefined)
  }

  /** The access event of request `id`, once it was logged. */
  async accessOf (id: string): Promise<RecordedEvent> {
    await waitFor(() => this.access(id).length > 0, { message: () => `the access event of ${id}; got ${JSON.stringify(this.events.map((e) => `${e.request_id}: ${e.message}`))}` })
    return this.access(id)[0] as RecordedEvent
  }
}
