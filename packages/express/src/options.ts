import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Request, Response } from 'express'
import type { AccessLevelFn, HandlerOptions, LogSink, LogstashHandler } from '@logstash-async/core'
import { leaseHandler, RequestTracker, resolveTrackerOptions, splitAdapterOptions } from '@logstash-async/core/adapter'
import { fail } from '@logstash-async/core/internal'
import { defaultUser } from './user'

/**
 * Options of `logstashMiddleware()`. Pass a `handler`, or handler options (`host`, `port`,
 * `transport`, ...: every option of `LogstashHandler`) to have the middleware create and own
 * one, or neither to use the process-wide `defaultHandler()`.
 */
export interface LogstashMiddlewareOptions<Req extends IncomingMessage = Request, Res extends ServerResponse = Response> extends HandlerOptions {
  /** Where events go; the middleware uses it and never closes it. @default `defaultHandler()`, or a handler built from the handler options given */
  handler?: LogSink
  /** The logger name of the access and error events and of `req.log`. @default 'express' */
  loggerName?: string
  /** Request header holding an incoming request id, reused when well formed. @default 'x-request-id' */
  requestIdHeader?: string
  /** Send the request id back in the `requestIdHeader` response header. @default true */
  echoRequestId?: boolean
  /** Makes a request id when the request brings none (or a malformed one). @default crypto.randomUUID() */
  generateRequestId?: (req: Req) => string
  /**
   * The user's name for `req_user` / `user.name`, asked each time an event is logged (so an
   * authentication middleware after this one is seen); `false` logs no user.
   * @default Passport's `req.user`: itself if a string, else its `username`, `name` or `id`
   */
  user?: ((req: Req) => string | undefined) | false
  /** Log one access event per request, when the response finishes or the client aborts. @default true */
  accessLog?: boolean
  /** The access event's level from its status. @default 'error' for 5xx, 'warn' for 4xx and aborted requests, else 'info' */
  accessLevel?: AccessLevelFn
  /** Return `true` to log no access event for this request (other events are still logged). @default none */
  skip?: (req: Req, res: Res) => boolean
}

/** The middleware's own options; every other key is a handler option. */
const OWN_KEYS = ['loggerName', 'requestIdHeader', 'echoRequestId', 'generateRequestId', 'user', 'accessLog', 'accessLevel', 'skip'] as const

/** Options after defaults and validation: the request tracker, and the handler the middleware owns, if any. */
export interface MiddlewareSettings {
  readonly tracker: RequestTracker<IncomingMessage, ServerResponse>
  /** Set when the middleware created the handler and so must close it. */
  readonly owned: LogstashHandler | undefined
}

/** Validates the options and picks the handler. Throws `ConfigurationError` naming the option. */
export function resolveSettings (input: unknown): MiddlewareSettings {
  const split = splitAdapterOptions<LogstashMiddlewareOptions<IncomingMessage, ServerResponse>>('logstashMiddleware', input, { own: OWN_KEYS })
  const { user, ...options } = split.adapterOptions
  if (user !== undefined && user !== false && typeof user !== 'function') fail('user', 'a function or false', user)
  // Every option checked before the handler is created: a wrong one leaves none open.
  const checked = resolveTrackerOptions<IncomingMessage, ServerResponse>({
    ...options,
    loggerName: options.loggerName ?? 'express',
    echoRequestId: options.echoRequestId ?? true,
    user: user === false ? undefined : user ?? defaultUser
  })
  const lease = leaseHandler(split)
  return Object.freeze({ tracker: new RequestTracker({ ...checked, sink: lease.handler }), owned: lease.owned })
}
