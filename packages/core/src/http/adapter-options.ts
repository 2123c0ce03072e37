import { defaultHandler } from '../default-handler'
import { ConfigurationError } from '../errors'
import type { LogSink } from '../contracts'
import { LogstashHandler } from '../handler'
import { HANDLER_OPTION_NAMES, normalizeOptions, type HandlerOptions } from '../options'
import { fail, hasMethods, warnUnknownKeys } from '../validate'

/** The part every adapter's options object shares: the handler to write to. */
export interface WithHandler {
  handler?: LogSink | undefined
}

/** An adapter's options object, split three ways by `splitAdapterOptions`. */
export interface SplitAdapterOptions<T extends WithHandler> {
  /** The handler the application passed: the adapter uses it and never closes it. */
  readonly handler: Exclude<T['handler'], undefined> | undefined
  /** The adapter's own options, as given (not validated: each adapter checks its own). */
  readonly adapterOptions: Readonly<Omit<T, 'handler' | keyof HandlerOptions>>
  /**
   * The handler options given, already validated by `normalizeOptions()`: the adapter creates
   * a handler from them and owns it. Undefined when none were given.
   */
  readonly handlerOptions: HandlerOptions | undefined
}

/** Which keys of an adapter's options object are not handler options. */
export interface AdapterOptionKeys<T extends WithHandler> {
  /** The adapter's own options, besides `handler`. */
  readonly own: readonly Exclude<keyof T, 'handler' | keyof HandlerOptions>[]
  /** Keys the framework passes along with the adapter's (Fastify's `prefix`): neither the adapter's nor the handler's. @default [] */
  readonly ignore?: readonly string[]
  /** Methods a given `handler` must have, for an adapter that flushes or closes it. @default ['log'] */
  readonly handlerMethods?: readonly string[]
}

/**
 * Splits an adapter's options into its own options, a given `handler`, and handler options,
 * the same way in every adapter. Throws a `ConfigurationError` at once, naming the option:
 * for options that are not an object, a `handler` that is not one, `handler` together with
 * handler options (whose handler would that be?), and any wrong handler option, so a
 * mistake fails when the adapter is registered rather than on the first request. A key that
 * is nobody's is a warning naming the closest option, as in the core, and otherwise ignored.
 *
 * @param adapter the adapter's entry point, for messages: `'logstashMiddleware'`
 * @param input the options object as the application passed it; `undefined` or `null` is `{}`
 */
export function splitAdapterOptions<T extends WithHandler> (adapter: string, input: unknown, keys: AdapterOptionKeys<T>): SplitAdapterOptions<T> {
  const options = input ?? {}
  if (typeof options !== 'object' || Array.isArray(options)) fail(`${adapter} options`, 'an object', options)
  const own = new Set<string>(['handler', ...keys.own as readonly string[]])
  const ignored = new Set<string>(keys.ignore ?? [])
  warnUnknownKeys(adapter, options as Record<string, unknown>, [...own, ...ignored, ...HANDLER_OPTION_NAMES])

  const adapterOptions: Record<string, unknown> = {}
  let handlerOptions: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(options)) {
    if (own.has(key)) adapterOptions[key] = value
    // An undefined value is an option not set: it must not make the adapter create a handler.
    else if (value !== undefined && (HANDLER_OPTION_NAMES as readonly string[]).includes(key)) (handlerOptions ??= {})[key] = value
  }

  const handler = adapterOptions.handler
  delete adapterOptions.handler
  if (handler !== undefined) {
    const methods = keys.handlerMethods ?? ['log']
    if (!hasMethods(handler, methods)) fail('handler', `an object with ${listMethods(methods)} (a LogstashHandler)`, handler)
    if (handlerOptions !== undefined) {
      throw new ConfigurationError(`${adapter}: handler cannot be combined with handler options, got handler and ${Object.keys(handlerOptions).map((k) => `'${k}'`).join(', ')}: set them on the handler you pass, or pass only the options`)
    }
  }
  if (handlerOptions !== undefined) normalizeOptions(handlerOptions)
  return Object.freeze({
    handler: handler as SplitAdapterOptions<T>['handler'],
    adapterOptions: Object.freeze(adapterOptions) as SplitAdapterOptions<T>['adapterOptions'],
    handlerOptions: handlerOptions === undefined ? undefined : Object.freeze(handlerOptions) as HandlerOptions
  })
}

function listMethods (methods: readonly string[]): string {
  if (methods.length === 1) return `a ${methods[0] === 'log' ? 'log(record)' : `${methods[0]}()`} method`
  const calls = methods.map((m) => `${m}()`)
  return `${calls.slice(0, -1).join(', ')} and ${calls.at(-1)} methods`
}

/** The handler an adapter writes to, and the one it must close. */
export interface HandlerLease<S extends LogSink> {
  /** Where events go: the given handler, the one created from handler options, or `defaultHandler()`. */
  readonly handler: S | LogstashHandler
  /** The handler the adapter created from handler options, which it closes; undefined when the handler is not the adapter's. */
  readonly owned: LogstashHandler | undefined
}

/**
 * Picks the handler for split options: a given `handler` is used and never closed; handler
 * options make a new handler the adapter owns and closes; neither means the process-wide
 * `defaultHandler()`, which is the process's to close. Call it once every option is checked,
 * so that a wrong option never leaves a handler open behind it.
 */
export function leaseHandler<S extends LogSink> (choice: { readonly handler: S | undefined, readonly handlerOptions: HandlerOptions | undefined }): HandlerLease<S> {
  if (choice.handler !== undefined) return Object.freeze({ handler: choice.handler, owned: undefined })
  if (choice.handlerOptions !== undefined) {
    const owned = new LogstashHandler(choice.handlerOptions)
    return Object.freeze({ handler: owned, owned })
  }
  return Object.freeze({ handler: defaultHandler(), owned: undefined })
}

// RFC 9110 token characters: what Node accepts as a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** A header name option (`requestIdHeader`), lower-cased as Node stores incoming headers. */
export function checkHeaderName (name: string, value: unknown): string {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) fail(name, 'an HTTP header name', value)
  return value.toLowerCase()
}
