import type { IncomingMessage, ServerResponse } from 'node:http'
import type { LogSink } from '../contracts'
import { checkBoolean, checkFunction, checkString, hasMethods, fail } from '../validate'
import { ACCESS_DEFAULTS, type AccessLevelFn } from './access'
import { checkHeaderName } from './adapter-options'
import { DEFAULT_REQUEST_ID_HEADER } from './request-id'
import { RequestLifecycle, type RequestFacts, type TrackerSettings } from './request-lifecycle'

/**
 * What an adapter decides once, for every request it tracks. `Req` and `Res` are the
 * framework's own request and response objects (Koa's `ctx`, Fastify's `request` and
 * `reply`), which `skip`, `user` and `generateRequestId` receive; Node's by default.
 */
export interface RequestTrackerOptions<Req = IncomingMessage, Res = ServerResponse> {
  /** Where the request's events go: a `LogstashHandler`, or any `LogSink`. */
  sink: LogSink
  /** Logger name of the access and error events and of the request's logger: the framework's name. */
  loggerName: string
  /** Log one access event per request. @default true */
  accessLog?: boolean | undefined
  /** The access event's level from its status and aborted flag. @default `defaultAccessLevel` */
  accessLevel?: AccessLevelFn | undefined
  /** Return `true` for a request that gets no access event (its errors are still logged). Asked when it ends. @default none */
  skip?: ((request: Req, reply: Res) => unknown) | undefined
  /** Log the error of a failed request (one event, with the status it ended with). @default true */
  logErrors?: boolean | undefined
  /**
   * The authenticated user's name or id, asked each time an event of the request is logged
   * (authentication usually runs after the adapter's first hook). @default none
   */
  user?: ((request: Req) => unknown) | undefined
  /** Request header holding an incoming request id, reused when well formed. @default 'x-request-id' */
  requestIdHeader?: string | undefined
  /** Makes the id of a request that brings none (or a malformed one). @default `crypto.randomUUID()` */
  generateRequestId?: ((request: Req) => unknown) | undefined
  /** Send the request id back in the `requestIdHeader` response header. @default false */
  echoRequestId?: boolean | undefined
  /** `{ name: 'koa', version: '3.0.0' }`: written as `koa_version` (Logstash format). @default none */
  framework?: { readonly name: string, readonly version: string } | undefined
}

/**
 * The request lifecycle of one adapter: validated settings, and `begin()` for each request.
 * Create one when the adapter is set up (a wrong option throws a `ConfigurationError`
 * naming it there, not on the first request), then call `begin()` as early as the
 * framework allows, with Node's request and response.
 */
export class RequestTracker<Req = IncomingMessage, Res = ServerResponse> {
  readonly settings: TrackerSettings<Req, Res>

  constructor (options: RequestTrackerOptions<Req, Res>) {
    if (typeof options !== 'object' || options === null) fail('RequestTracker options', 'an object', options)
    if (!hasMethods(options.sink, ['log'])) fail('sink', 'an object with a log(record) method (a LogstashHandler)', options.sink)
    this.settings = Object.freeze({ ...resolveTrackerOptions(options), sink: options.sink })
  }

  /**
   * Starts the lifecycle of a request: its context (id, URL, client address, user), and the
   * watch on its response that writes its error and access events when it ends. A request
   * already begun (two adapters, or one mounted twice) keeps its first lifecycle, which is
   * returned. Never throws: `undefined` only if even that failed, and the request goes on
   * unlogged.
   */
  begin (req: IncomingMessage, res: ServerResponse, facts: RequestFacts<Req, Res> = {}): RequestLifecycle<Req, Res> | undefined {
    try {
      return RequestLifecycle.of(req) as RequestLifecycle<Req, Res> | undefined ?? new RequestLifecycle(req, res, this.settings, facts)
    } catch {
      return undefined
    }
  }
}

/**
 * Checks every option of a tracker but its sink, and applies the defaults. Throws a
 * `ConfigurationError` naming the option. For an adapter that creates its handler from its
 * options: check first, then create the handler, so a wrong option leaves none open.
 */
export function resolveTrackerOptions<Req, Res> (options: Omit<RequestTrackerOptions<Req, Res>, 'sink'>): Omit<TrackerSettings<Req, Res>, 'sink'> {
  return Object.freeze({
    loggerName: checkString('loggerName', options.loggerName),
    accessLog: checkBoolean('accessLog', options.accessLog ?? ACCESS_DEFAULTS.accessLog),
    accessLevel: checkFunction<AccessLevelFn>('accessLevel', options.accessLevel ?? ACCESS_DEFAULTS.accessLevel),
    skip: optionalFunction('skip', options.skip),
    logErrors: checkBoolean('logErrors', options.logErrors ?? true),
    user: optionalFunction('user', options.user),
    requestIdHeader: checkHeaderName('requestIdHeader', options.requestIdHeader ?? DEFAULT_REQUEST_ID_HEADER),
    generateRequestId: optionalFunction('generateRequestId', options.generateRequestId),
    echoRequestId: checkBoolean('echoRequestId', options.echoRequestId ?? false),
    framework: options.framework === undefined ? undefined : checkFramework(options.framework)
  })
}

function optionalFunction<T> (name: string, value: T | undefined): T | undefined {
  return value === undefined ? undefined : checkFunction<T>(name, value)
}

function checkFramework (value: unknown): { readonly name: string, readonly version: string } {
  const framework = value as { name?: unknown, version?: unknown } | null
  if (typeof framework?.name !== 'string' || typeof framework.version !== 'string') fail('framework', 'an object with a name and a version string', value)
  return Object.freeze({ name: framework.name, version: framework.version })
}
