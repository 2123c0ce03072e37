import {
  ConfigurationError, DEFAULT_REQUEST_ID_HEADER, LogstashHandler, defaultHandler, normalizeOptions, type HandlerOptions
} from '@logstash-async/core'
import type { ModuleMetadata } from '@nestjs/common'

/**
 * Options of `LogstashModule.forRoot()`. Besides the adapter's own options it takes every
 * `LogstashHandler` option (`host`, `port`, `transport`...): given any of them, the module
 * creates a handler, owns it and closes it at shutdown. Given `handler`, it uses that one
 * and never closes it. Given neither, it uses the process-wide `defaultHandler()`.
 */
export interface LogstashModuleOptions extends HandlerOptions {
  /** A handler created by the application; the module uses it and never closes it. @default none */
  handler?: LogstashHandler
  /** Request header carrying the request id; a well-formed value is reused, else one is generated. @default 'x-request-id' */
  requestIdHeader?: string
  /** Log one access event per request (method, URL, status, duration, bytes). @default true */
  accessLog?: boolean
}

/** Options of `LogstashModule.forRootAsync()`: the options come from a factory with injected dependencies. */
export interface LogstashModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Returns the module options; may be async. */
  useFactory: (...args: any[]) => LogstashModuleOptions | Promise<LogstashModuleOptions>
  /** Providers passed to `useFactory`, in order. @default [] */
  inject?: any[]
}

/** The module options after defaults and validation. */
export interface ResolvedModuleOptions {
  /** The application's handler, if it gave one. */
  readonly handler: LogstashHandler | undefined
  /** The handler options, when the module is to create its own handler. */
  readonly handlerOptions: HandlerOptions | undefined
  /** Lower case, as Node's `IncomingMessage.headers` keys are. */
  readonly requestIdHeader: string
  /** Whether each request gets an access event. */
  readonly accessLog: boolean
}

/** The handler the module writes to, and whether the module created it (and so closes it). */
export interface HandlerLease {
  readonly handler: LogstashHandler
  /** True when the module created the handler: it closes it at shutdown. */
  readonly owned: boolean
}

const ADAPTER_KEYS = new Set(['handler', 'requestIdHeader', 'accessLog'])

/**
 * Validates module options and splits the adapter's options from the handler's. Throws a
 * `ConfigurationError` naming the option at once (handler options included), so a wrong
 * `forRoot()` fails when the module is declared, not on the first request.
 */
export function resolveModuleOptions (input: unknown): ResolvedModuleOptions {
  if (input === undefined || input === null) input = {}
  if (typeof input !== 'object' || Array.isArray(input)) invalid('LogstashModule options', 'an object', input)
  const options = input as LogstashModuleOptions

  const handler = options.handler
  if (handler !== undefined && typeof (handler as Partial<LogstashHandler>)?.log !== 'function') {
    invalid('handler', 'a LogstashHandler', handler)
  }
  const requestIdHeader = options.requestIdHeader ?? DEFAULT_REQUEST_ID_HEADER
  if (typeof requestIdHeader !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(requestIdHeader)) {
    invalid('requestIdHeader', 'an HTTP header name', requestIdHeader)
  }
  const accessLog = options.accessLog ?? true
  if (typeof accessLog !== 'boolean') invalid('accessLog', 'true or false', accessLog)

  let handlerOptions: HandlerOptions | undefined
  for (const [key, value] of Object.entries(options)) {
    if (ADAPTER_KEYS.has(key) || value === undefined) continue
    handlerOptions ??= {}
    ;(handlerOptions as Record<string, unknown>)[key] = value
  }
  if (handler !== undefined && handlerOptions !== undefined) {
    throw new ConfigurationError(`handler cannot be combined with handler options (${Object.keys(handlerOptions).join(', ')}): set them on the handler you pass, or pass only the options`)
  }
  // Fails now, naming the option, rather than when Nest instantiates the providers.
  if (handlerOptions !== undefined) normalizeOptions(handlerOptions)

  return Object.freeze({ handler, handlerOptions, requestIdHeader: requestIdHeader.toLowerCase(), accessLog })
}

/** The handler for resolved options: the given one, a new owned one, or the default. */
export function leaseHandler (options: ResolvedModuleOptions): HandlerLease {
  if (options.handler !== undefined) return { handler: options.handler, owned: false }
  if (options.handlerOptions !== undefined) return { handler: new LogstashHandler(options.handlerOptions), owned: true }
  return { handler: defaultHandler(), owned: false }
}

function invalid (name: string, expected: string, value: unknown): never {
  throw new ConfigurationError(`${name} must be ${expected}, got ${describe(value)}`)
}

function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? 'a function' : String(value)
  return Array.isArray(value) ? 'an array' : `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
}
