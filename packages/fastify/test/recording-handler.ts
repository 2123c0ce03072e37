import { LogstashFormatter, requestContext, type Level, type LogRecord } from '@logstash-async/core'
import { waitFor } from '../../../test/helpers/wait'

/** One formatted event as Logstash would get it, with the `extra` object flattened for asserts. */
export type RecordedEvent = Record<string, unknown> & { message: string, level: string }

/**
 * A handler that formats each record with the real LogstashFormatter, reading the request
 * context exactly as LogstashHandler does, and keeps the events in memory.
 */
export class RecordingHandler {
  readonly events: RecordedEvent[] = []
  readonly #formatter = new LogstashFormatter({ extraPrefix: '' })
  flushes = 0
  closed = false

  log (record: LogRecord): void {
    this.events.push(JSON.parse(this.#formatter.format(record, requestContext.get())) as RecordedEvent)
  }

  isLevelEnabled (_level: Level): boolean {
    return true
  }

  async flush (): Promise<boolean> {
    this.flushes++
    return true
  }

  async close (): Promise<void> {
    this.closed = true
  }

  /** Events whose message is `message`. */
  withMessage (message: string): RecordedEvent[] {
    return this.events.filter((e) => e.message === message)
  }

  /** Access events (they carry `duration_ms`). */
  access (): RecordedEvent[] {
    return this.events.filter((e) => e.duration_ms !== undefined)
  }

  async waitFor (predicate: (event: RecordedEvent) => boolean, what: string, timeoutMs = 5000): Promise<RecordedEvent> {
    await waitFor(() => this.events.some(predicate), { timeoutMs, message: what })
    return this.events.find(predicate) as RecordedEvent
  }
}
