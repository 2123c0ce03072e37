import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AccessLevelFn, HandlerOptions, LogSink, LogstashHandler } from '@logstash-async/core'
import {
  ACCESS_DEFAULTS, leaseHandler, RequestTracker, resolveTrackerOptions, splitAdapterOptions
} from '@logstash-async/core/adapter'

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

/** The options after defaults and validation: the request tracker, and the handler the plugin owns, if any. */
export interface ResolvedPluginOptions {
  readonly handler: LogstashPluginHandler
  readonly tracker: RequestTracker<FastifyRequest, FastifyReply>
  /** Set when the plugin created the handler, and so closes it. */
  readonly owned: LogstashHandler | undefined
}

/** The defaults of the plugin's own options (handler options have theirs in the core's `DEFAULTS`). */
export const PLUGIN_DEFAULTS = Object.freeze({
  ...ACCESS_DEFAULTS,
  logErrors: true,
  loggerName: 'fastify'
})

const OWN_KEYS = ['accessLog', 'accessLevel', 'skip', 'logErrors', 'user', 'loggerName'] as const
// Fastify passes its own register options to the plugin along with ours.
const FASTIFY_REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers']

/** Validates the plugin's options and picks the handler: given, created (and owned), or the default one. */
export function resolvePluginOptions (input: LogstashPluginOptions | undefined, framework: { name: string, version: string }): ResolvedPluginOptions {
  const split = splitAdapterOptions<LogstashPluginOptions>('logstashPlugin', input, {
    own: OWN_KEYS,
    ignore: FASTIFY_REGISTER_KEYS,
    // flushed on fastify.close()
    handlerMethods: ['log', 'flush', 'close']
  })
  const options = split.adapterOptions
  // Every option checked before the handler is created: a wrong one leaves none open.
  const checked = resolveTrackerOptions<FastifyRequest, FastifyReply>({
    ...options,
    loggerName: options.loggerName ?? PLUGIN_DEFAULTS.loggerName,
    framework
  })
  const { handler, owned } = leaseHandler(split)
  return Object.freeze({ handler, owned, tracker: new RequestTracker({ ...checked, sink: handler }) })
}
