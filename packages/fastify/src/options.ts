import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  ConfigurationError, LogstashHandler, defaultAccessLevel, defaultHandler,
  type AccessLevelFn, type HandlerOptions, type LogSink
} from '@logstash-async/core'

/**
 * What the plugin writes to: a `LogstashHandler`, a `SyncLogstashHandler`, or any sink with
 * `log()`, `flush()` and `close()`.
 */
export interface LogstashPluginHandler extends LogSink {
  flush (): Promise<unknown>
  close (): Promise<unknown>
}

/**
 * Options of `logstashPlugin`. Without `handler` and without handler options the plugin uses
 * the process-wide `defaultHandler()`; with handler options (`host`, `port`, ...) it creates a
 * handler of its own and closes it in `onClose`.
 */
export interface LogstashPluginOptions extends HandlerOptions {
  /**
   * The handler to write to. The plugin uses it, flushes it on `fastify.close()`, and leaves
   * closing it to its owner. Cannot be combined with handler options.
   * @default the process-wide `defaultHandler()`, or one created from the handler options given
   */
  handler?: LogstashPluginHandler
  /** Log one access event per request when the response is sent or the client goes away. @default true */
  accessLog?: boolean
  /** Level of the access event from its status and aborted flag. @default 5xx: 'error', 4xx and aborted: 'warn', else 'info' */
  accessLevel?: AccessLevelFn
  /** Requests for which no access event is logged (health checks); their errors are still logged. @default none */
  skip?: (request: FastifyRequest, reply: FastifyReply) => boolean
  /** Log one error event, with the real error and status, for a request whose handler or hooks failed. @default true */
  logErrors?: boolean
  /** The authenticated user (`req_user`), read each time an event of the request is logged. @default none */
  user?: (request: FastifyRequest) => string | undefined
  /** Logger name of the access and error events and of `request.logstash`. @default 'fastify' */
  loggerName?: string
}

/** The options after defaults and validation. */
export interface ResolvedPluginOptions {
  readonly handler: LogstashPluginHandler
  /** True when the plugin created the handler, and so closes it. */
  readonly ownsHandler: boolean
  readonly accessLog: boolean
  readonly accessLevel: AccessLevelFn
  readonly skip: ((request: FastifyRequest, reply: FastifyReply) => boolean) | undefined
  readonly logErrors: boolean
  readonly user: ((request: FastifyRequest) => string | undefined) | undefined
  readonly loggerName: string
}

/** The defaults of the plugin's own options (handler options have theirs in the core's `DEFAULTS`). */
export const PLUGIN_DEFAULTS = Object.freeze({
  accessLog: true,
  accessLevel: defaultAccessLevel,
  logErrors: true,
  loggerName: 'fastify'
})

const PLUGIN_KEYS = new Set(['handler', 'accessLog', 'accessLevel', 'skip', 'logErrors', 'user', 'loggerName'])
// Fastify passes its own register options to the plugin along with ours.
const FASTIFY_REGISTER_KEYS = new Set(['prefix', 'logLevel', 'logSerializers'])

/** Validates the plugin's options and picks the handler: given, created (and owned), or the default one. */
export function resolvePluginOptions (options: LogstashPluginOptions | undefined): ResolvedPluginOptions {
  const input = options ?? {}
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('logstashPlugin options', 'an object', input)
  const handlerOptions: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) {
    if (!PLUGIN_KEYS.has(key) && !FASTIFY_REGISTER_KEYS.has(key) && value !== undefined) handlerOptions[key] = value
  }
  const accessLog = input.accessLog ?? PLUGIN_DEFAULTS.accessLog
  if (typeof accessLog !== 'boolean') fail('accessLog', 'true or false', accessLog)
  const logErrors = input.logErrors ?? PLUGIN_DEFAULTS.logErrors
  if (typeof logErrors !== 'boolean') fail('logErrors', 'true or false', logErrors)
  const accessLevel = input.accessLevel ?? PLUGIN_DEFAULTS.accessLevel
  if (typeof accessLevel !== 'function') fail('accessLevel', 'a function (statusCode, aborted) => level', accessLevel)
  if (input.skip !== undefined && typeof input.skip !== 'function') fail('skip', 'a function (request, reply) => boolean', input.skip)
  if (input.user !== undefined && typeof input.user !== 'function') fail('user', 'a function (request) => string | undefined', input.user)
  const loggerName = input.loggerName ?? PLUGIN_DEFAULTS.loggerName
  if (typeof loggerName !== 'string' || loggerName === '') fail('loggerName', 'a non-empty string', loggerName)

  let handler: LogstashPluginHandler
  let ownsHandler = false
  const extraKeys = Object.keys(handlerOptions)
  if (input.handler !== undefined) {
    if (typeof input.handler?.log !== 'function') fail('handler', 'an object with a log(record) method (a LogstashHandler)', input.handler)
    if (extraKeys.length > 0) {
      throw new ConfigurationError(`handler cannot be combined with handler options (${extraKeys.join(', ')}): give them to the handler's constructor, or drop handler to let the plugin create one`)
    }
    handler = input.handler
  } else if (extraKeys.length > 0) {
    handler = new LogstashHandler(handlerOptions as HandlerOptions)
    ownsHandler = true
  } else {
    handler = defaultHandler()
  }
  return Object.freeze({
    handler,
    ownsHandler,
    accessLog,
    accessLevel,
    skip: input.skip,
    logErrors,
    user: input.user,
    loggerName
  })
}

function fail (name: string, expected: string, value: unknown): never {
  throw new ConfigurationError(`${name} must be ${expected}, got ${describe(value)}`)
}

function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || value === undefined || typeof value !== 'object') return typeof value === 'function' ? 'a function' : String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}
