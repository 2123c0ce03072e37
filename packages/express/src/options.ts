import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Request, Response } from 'express'
import {
  ConfigurationError, DEFAULT_REQUEST_ID_HEADER, defaultAccessLevel, defaultHandler, LogstashHandler,
  type AccessLevelFn, type HandlerOptions, type LogSink
} from '@logstash-async/core'
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
  name?: string
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
  access?: boolean
  /** The access event's level from its status. @default 'error' for 5xx, 'warn' for 4xx and aborted requests, else 'info' */
  accessLevel?: AccessLevelFn
  /** Return `true` to log no access event for this request (other events are still logged). @default none */
  skip?: (req: Req, res: Res) => boolean
}

/** The adapter's own options; every other key is a handler option. */
const ADAPTER_KEYS = ['handler', 'name', 'requestIdHeader', 'echoRequestId', 'generateRequestId', 'user', 'access', 'accessLevel', 'skip'] as const

/** Options after defaults and validation. */
export interface MiddlewareSettings {
  readonly sink: LogSink
  /** Set when the middleware created the handler and so must close it. */
  readonly owned: LogstashHandler | undefined
  readonly name: string
  /** Lower case, as Node stores incoming header names. */
  readonly requestIdHeader: string
  readonly echoRequestId: boolean
  readonly generateRequestId: ((req: IncomingMessage) => string) | undefined
  readonly user: ((req: IncomingMessage) => unknown) | undefined
  readonly access: boolean
  readonly accessLevel: AccessLevelFn
  readonly skip: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined
}

/** Validates the options and picks the handler. Throws `ConfigurationError` naming the option. */
export function resolveSettings (input: unknown): MiddlewareSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('logstashMiddleware options', 'an object', input)
  const options = input as LogstashMiddlewareOptions
  const handlerOptions: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (!(ADAPTER_KEYS as readonly string[]).includes(key) && value !== undefined) handlerOptions[key] = value
  }
  const handlerKeys = Object.keys(handlerOptions)

  let sink: LogSink
  let owned: LogstashHandler | undefined
  if (options.handler !== undefined) {
    if (typeof (options.handler as { log?: unknown } | null)?.log !== 'function') {
      fail('handler', 'an object with a log(record) method (a LogstashHandler)', options.handler)
    }
    if (handlerKeys.length > 0) {
      throw new ConfigurationError(`handler cannot be combined with handler options, got handler and ${handlerKeys.map((k) => `'${k}'`).join(', ')}: configure the handler you pass, or pass only options`)
    }
    sink = options.handler
  } else if (handlerKeys.length > 0) {
    owned = new LogstashHandler(handlerOptions as HandlerOptions)
    sink = owned
  } else {
    sink = defaultHandler()
  }

  const settings: MiddlewareSettings = {
    sink,
    owned,
    name: checkString('name', options.name ?? 'express'),
    requestIdHeader: checkHeaderName('requestIdHeader', options.requestIdHeader ?? DEFAULT_REQUEST_ID_HEADER),
    echoRequestId: checkBoolean('echoRequestId', options.echoRequestId ?? true),
    generateRequestId: optionalFunction('generateRequestId', options.generateRequestId) as MiddlewareSettings['generateRequestId'],
    user: options.user === false
      ? undefined
      : (optionalFunction('user', options.user) ?? defaultUser) as MiddlewareSettings['user'],
    access: checkBoolean('access', options.access ?? true),
    accessLevel: (optionalFunction('accessLevel', options.accessLevel) ?? defaultAccessLevel) as AccessLevelFn,
    skip: optionalFunction('skip', options.skip) as MiddlewareSettings['skip']
  }
  return Object.freeze(settings)
}

function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || value === undefined || typeof value !== 'object') return typeof value === 'function' ? 'a function' : String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

function fail (name: string, expected: string, value: unknown): never {
  throw new ConfigurationError(`${name} must be ${expected}, got ${describe(value)}`)
}

function checkString (name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string', value)
  return value
}

// RFC 9110 token characters: what Node accepts as a header name.
function checkHeaderName (name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) fail(name, 'an HTTP header name', value)
  return value.toLowerCase()
}

function checkBoolean (name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(name, 'true or false', value)
  return value
}

function optionalFunction (name: string, value: unknown): ((...args: never[]) => unknown) | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') fail(name, name === 'user' ? 'a function or false' : 'a function', value)
  return value as (...args: never[]) => unknown
}
