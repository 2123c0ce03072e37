import { LEVELS, defaultAccessLevel, isLevel, type AccessLevelFn, type Level } from '@logstash-async/core'
import { checkString, fail } from '@logstash-async/core/internal'

/**
 * How pino's lines are read: the keys pino and pino-http were told to use, and how levels
 * and access lines map to ours. Every key defaults to pino's and pino-http's own default;
 * `messageKey`, `errorKey` and custom levels are also learnt from the pino logger itself
 * (it announces them to its destination), so they only need setting here for a destination
 * shared by loggers that differ.
 */
export interface LogstashDestinationOptions {
  /** pino's `messageKey`. @default 'msg' (or what the pino logger announces) */
  messageKey?: string
  /** pino's `errorKey` (pino-http's `customAttributeKeys.err`). @default 'err' (or what the pino logger announces) */
  errorKey?: string
  /** The request id of a line: Fastify's `requestIdLogLabel`, pino-http's `customAttributeKeys.reqId`. @default 'reqId' */
  requestIdKey?: string
  /** pino-http's `customAttributeKeys.req`: the serialized request. @default 'req' */
  requestKey?: string
  /** pino-http's `customAttributeKeys.res`: the serialized response. @default 'res' */
  responseKey?: string
  /** pino-http's `customAttributeKeys.responseTime`, in milliseconds. @default 'responseTime' */
  responseTimeKey?: string
  /**
   * Level of a response line (one with `res` and `responseTime`) from its status, as our
   * adapters choose their access events' level; `false` keeps the level pino-http wrote.
   * @default 5xx `error`, 4xx and aborted `warn`, else `info`
   */
  accessLevel?: AccessLevelFn | false
  /**
   * Our level for a pino level label or number (`{ audit: 'info', 35: 'warn' }`), ahead of
   * the built-in mapping. @default none
   */
  levelMap?: Readonly<Record<string, Level>>
}

/** The options after defaults and validation. */
export interface LineSettings {
  readonly messageKey: string | undefined
  readonly errorKey: string | undefined
  readonly requestIdKey: string
  readonly requestKey: string
  readonly responseKey: string
  readonly responseTimeKey: string
  readonly accessLevel: AccessLevelFn | false
  readonly levelMap: Readonly<Record<string, Level>> | undefined
}

/** pino's and pino-http's defaults: what a line uses when neither the options nor the logger say otherwise. */
export const DESTINATION_DEFAULTS = Object.freeze({
  messageKey: 'msg',
  errorKey: 'err',
  requestIdKey: 'reqId',
  requestKey: 'req',
  responseKey: 'res',
  responseTimeKey: 'responseTime',
  accessLevel: defaultAccessLevel
})

const OPTION_NAMES: readonly (keyof LogstashDestinationOptions)[] = [
  'messageKey', 'errorKey', 'requestIdKey', 'requestKey', 'responseKey', 'responseTimeKey', 'accessLevel', 'levelMap'
]

/**
 * Validates the options (a `ConfigurationError` naming the option) and applies the
 * defaults. `messageKey` and `errorKey` stay undefined when not given: the pino logger's
 * announcement, then pino's default, decide them per line.
 */
export function resolveLineSettings (name: string, options: unknown): LineSettings {
  const given = options ?? {}
  if (typeof given !== 'object' || Array.isArray(given)) fail(`${name} options`, 'an object', given)
  const o = given as LogstashDestinationOptions
  const accessLevel = o.accessLevel ?? DESTINATION_DEFAULTS.accessLevel
  if (accessLevel !== false && typeof accessLevel !== 'function') fail('accessLevel', 'a function (statusCode, aborted) => level, or false', accessLevel)
  return Object.freeze({
    messageKey: o.messageKey === undefined ? undefined : checkString('messageKey', o.messageKey),
    errorKey: o.errorKey === undefined ? undefined : checkString('errorKey', o.errorKey),
    requestIdKey: checkString('requestIdKey', o.requestIdKey ?? DESTINATION_DEFAULTS.requestIdKey),
    requestKey: checkString('requestKey', o.requestKey ?? DESTINATION_DEFAULTS.requestKey),
    responseKey: checkString('responseKey', o.responseKey ?? DESTINATION_DEFAULTS.responseKey),
    responseTimeKey: checkString('responseTimeKey', o.responseTimeKey ?? DESTINATION_DEFAULTS.responseTimeKey),
    accessLevel,
    levelMap: o.levelMap === undefined ? undefined : checkLevelMap(o.levelMap)
  })
}

/** Splits an options object into the line options and the rest (the worker target's handler options). */
export function splitLineOptions<T extends object> (options: T): { line: LogstashDestinationOptions, rest: Omit<T, keyof LogstashDestinationOptions> } {
  const line: Record<string, unknown> = {}
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if ((OPTION_NAMES as readonly string[]).includes(key)) line[key] = value
    else rest[key] = value
  }
  return { line: line as LogstashDestinationOptions, rest: rest as Omit<T, keyof LogstashDestinationOptions> }
}

function checkLevelMap (value: unknown): Readonly<Record<string, Level>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('levelMap', 'an object of pino level labels or numbers to levels', value)
  for (const [key, level] of Object.entries(value)) {
    if (!isLevel(level)) fail(`levelMap.${key}`, `one of ${LEVELS.join(', ')}`, level)
  }
  return Object.freeze({ ...value as Record<string, Level> })
}
