import { EcsFormatter, LogstashFormatter, LogstashHandler, type HandlerOptions } from '@logstash-async/core'
import { assertEcsLine, valueAt } from './ecs-validate'
import { TcpReceiver } from './tcp-receiver'

/** The two event formats every mapping is checked in. */
export const FORMATS = ['logstash', 'ecs'] as const
export type FormatName = typeof FORMATS[number]

/**
 * A real LogstashHandler over TCP to a receiver on loopback, in one of the two formats, for
 * tests of what other loggers' calls become on the wire. `events()` parses what arrived;
 * ECS lines are validated against the ecs-logging spec on the way.
 */
export class Pipeline {
  readonly receiver: TcpReceiver
  readonly handler: LogstashHandler
  readonly format: FormatName

  private constructor (receiver: TcpReceiver, handler: LogstashHandler, format: FormatName) {
    this.receiver = receiver
    this.handler = handler
    this.format = format
  }

  static async start (format: FormatName, options: HandlerOptions = {}): Promise<Pipeline> {
    const receiver = await TcpReceiver.start()
    const formatter = format === 'ecs' ? new EcsFormatter({ apmIntegration: false }) : new LogstashFormatter()
    const handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 10, formatter, ...options })
    return new Pipeline(receiver, handler, format)
  }

  /** Waits for `count` events (after a flush) and returns them, every ECS line validated. */
  async events (count: number, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
    await this.handler.flush()
    await this.receiver.waitForEvents(count, timeoutMs)
    if (this.receiver.invalid.length > 0) throw new Error(`invalid lines: ${this.receiver.invalid.slice(0, 2).join('\n')}`)
    if (this.format === 'ecs') for (const line of this.receiver.lines) assertEcsLine(line)
    return this.receiver.events
  }

  async close (): Promise<void> {
    await this.handler.close()
    await this.receiver.close()
  }
}

/**
 * The value of a field by its name in each format: `logstash` names a field of the Logstash
 * event (top level or under `extra`), `ecs` a dotted ECS path.
 */
export function field (event: Record<string, unknown>, format: FormatName, names: { logstash: string, ecs: string }): unknown {
  if (format === 'ecs') return valueAt(event, names.ecs)
  if (Object.hasOwn(event, names.logstash)) return event[names.logstash]
  const extra = event.extra as Record<string, unknown> | undefined
  return extra?.[names.logstash]
}

/** A user field: under `extra` (Logstash) or `labels`/`extra` (ECS, where scalars become strings). */
export function userField (event: Record<string, unknown>, format: FormatName, name: string): unknown {
  if (format === 'logstash') return (event.extra as Record<string, unknown> | undefined)?.[name]
  return valueAt(event, `labels.${name}`) ?? valueAt(event, `extra.${name}`) ?? valueAt(event, name)
}

/** The level as each format writes it, from ours. */
export function levelName (level: string, format: FormatName): string {
  if (format === 'ecs') return level
  return ({ trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' } as Record<string, string>)[level] ?? level
}

/** The event's level in its format. */
export function levelOf (event: Record<string, unknown>, format: FormatName): unknown {
  return format === 'ecs' ? event['log.level'] : event.level
}

/** Fields of the request and access an event carries, named per format. */
export const REQUEST_FIELDS = {
  method: { logstash: 'req_method', ecs: 'http.request.method' },
  uri: { logstash: 'req_uri', ecs: 'url.full' },
  path: { logstash: 'req_uri', ecs: 'url.path' },
  id: { logstash: 'request_id', ecs: 'http.request.id' },
  status: { logstash: 'status_code', ecs: 'http.response.status_code' },
  userAgent: { logstash: 'req_useragent', ecs: 'user_agent.original' },
  ip: { logstash: 'req_remote_address', ecs: 'client.ip' },
  host: { logstash: 'req_host', ecs: 'url.domain' },
  logger: { logstash: 'logger_name', ecs: 'log.logger' },
  errorType: { logstash: 'error_type', ecs: 'error.type' },
  stack: { logstash: 'stack_trace', ecs: 'error.stack_trace' },
  responseBytes: { logstash: 'response_bytes', ecs: 'http.response.body.bytes' },
  requestBytes: { logstash: 'request_bytes', ecs: 'http.request.body.bytes' }
} as const

/** An access event's duration in milliseconds, from either format (ECS writes nanoseconds). */
export function durationMs (event: Record<string, unknown>, format: FormatName): number | undefined {
  if (format === 'ecs') {
    const ns = valueAt(event, 'event.duration')
    return typeof ns === 'number' ? ns / 1e6 : undefined
  }
  const ms = field(event, format, { logstash: 'duration_ms', ecs: '' })
  return typeof ms === 'number' ? ms : undefined
}
