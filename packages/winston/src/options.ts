import {
  LEVELS, defaultAccessLevel, isLevel, type AccessLevelFn, type HandlerOptions, type Level, type LogSink
} from '@logstash-async/core'
import { leaseHandler, splitAdapterOptions, type HandlerLease } from '@logstash-async/core/adapter'
import { checkString, fail } from '@logstash-async/core/internal'
import type TransportStream from 'winston-transport'
import type { InfoSettings } from './info'

/**
 * Options of `new LogstashTransport(options)`: winston-transport's own (`level`, `format`,
 * `silent`, `handleExceptions`, `handleRejections`), where events go (`handler`, or handler
 * options for a handler the transport creates and closes), and how info objects map.
 */
export interface LogstashTransportOptions extends Omit<HandlerOptions, 'level'>, Omit<TransportStream.TransportStreamOptions, 'log' | 'logv' | 'close'> {
  /** The handler to write to; the transport never closes it. Not combinable with handler options. @default `defaultHandler()`, or one created from the handler options */
  handler?: LogSink
  /** winston's level for this transport (winston filters by it); the handler's own `level` is set on a handler you pass. @default the logger's level */
  level?: string
  /** The events' logger name (`logger_name`, `log.logger`). @default none */
  loggerName?: string
  /**
   * Level of an express-winston request line from its status, as our adapters choose their
   * access events' level; `false` keeps the level express-winston chose.
   * @default 5xx `error`, 4xx and aborted `warn`, else `info`
   */
  accessLevel?: AccessLevelFn | false
  /** Our level for winston level names, ahead of the built-in mapping (`{ audit: 'info' }`). @default none */
  levelMap?: Readonly<Record<string, Level>>
}

/** The transport's settings after defaults and validation. */
export interface TransportSettings extends InfoSettings {
  readonly lease: HandlerLease<LogSink>
  readonly stream: TransportStream.TransportStreamOptions
}

// winston-transport's options: they go to its constructor, never to a handler.
const STREAM_KEYS = ['level', 'format', 'silent', 'handleExceptions', 'handleRejections'] as const
const OWN_KEYS = ['loggerName', 'accessLevel', 'levelMap'] as const

/**
 * Splits and checks the options: a `ConfigurationError` naming the option for a wrong one,
 * `handler` together with handler options, or a wrong handler option. A handler is created
 * only once everything is valid.
 */
export function resolveTransportSettings (input: unknown): TransportSettings {
  const options = input ?? {}
  if (typeof options !== 'object' || Array.isArray(options)) fail('LogstashTransport options', 'an object', options)
  const stream: Record<string, unknown> = {}
  const others: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if ((STREAM_KEYS as readonly string[]).includes(key)) stream[key] = value
    else others[key] = value
  }
  if (stream.level !== undefined) checkString('level', stream.level)
  const split = splitAdapterOptions<{ handler?: LogSink, loggerName?: string, accessLevel?: unknown, levelMap?: unknown }>('LogstashTransport', others, { own: OWN_KEYS })
  const own = split.adapterOptions as { loggerName?: unknown, accessLevel?: unknown, levelMap?: unknown }
  const accessLevel = own.accessLevel ?? defaultAccessLevel
  if (accessLevel !== false && typeof accessLevel !== 'function') fail('accessLevel', 'a function (statusCode, aborted) => level, or false', accessLevel)
  const settings = {
    loggerName: own.loggerName === undefined ? undefined : checkString('loggerName', own.loggerName),
    accessLevel: accessLevel as AccessLevelFn | false,
    levelMap: own.levelMap === undefined ? undefined : checkLevelMap(own.levelMap),
    stream: stream as TransportStream.TransportStreamOptions
  }
  return Object.freeze({ ...settings, lease: leaseHandler<LogSink>(split) })
}

function checkLevelMap (value: unknown): Readonly<Record<string, Level>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('levelMap', 'an object of winston level names to levels', value)
  for (const [key, level] of Object.entries(value)) {
    if (!isLevel(level)) fail(`levelMap.${key}`, `one of ${LEVELS.join(', ')}`, level)
  }
  return Object.freeze({ ...value as Record<string, Level> })
}
