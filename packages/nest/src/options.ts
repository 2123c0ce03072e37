import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AccessLevelFn, HandlerOptions, LogstashHandler } from '@logstash-async/core'
import {
  resolveTrackerOptions, splitAdapterOptions, type HandlerLease as CoreHandlerLease, type TrackerSettings
} from '@logstash-async/core/adapter'
import type { ModuleMetadata } from '@nestjs/common'
import { nestFramework } from './nest-version'

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
  /** The access event's level from its status and aborted flag. @default 'error' for 5xx, 'warn' for 4xx and aborted requests, else 'info' */
  accessLevel?: AccessLevelFn
  /**
   * Return `true` to log no access event for this request (its errors are still logged). Asked
   * when the response ends, with Node's request and response: Express's own on the Express
   * platform, `request.raw` and `reply.raw` on Fastify. @default none
   */
  skip?: (req: IncomingMessage, res: ServerResponse) => boolean
  /** Logger name of the access and error events. @default 'nest' */
  loggerName?: string
}

/** Options of `LogstashModule.forRootAsync()`: the options come from a factory with injected dependencies. */
export interface LogstashModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Returns the module options; may be async. */
  useFactory: (...args: any[]) => LogstashModuleOptions | Promise<LogstashModuleOptions>
  /** Providers passed to `useFactory`, in order. @default [] */
  inject?: any[]
}

/** The module options after defaults and validation: the request tracker's settings and the handler's. */
export interface ResolvedModuleOptions extends Omit<TrackerSettings<IncomingMessage, ServerResponse>, 'sink'> {
  /** The application's handler, if it gave one. */
  readonly handler: LogstashHandler | undefined
  /** The handler options, validated, when the module is to create its own handler. */
  readonly handlerOptions: HandlerOptions | undefined
}

/** The handler the module writes to, and the one it created (and so closes). */
export type HandlerLease = CoreHandlerLease<LogstashHandler>

const OWN_KEYS = ['requestIdHeader', 'accessLog', 'accessLevel', 'skip', 'loggerName'] as const

/**
 * Validates module options and splits the adapter's options from the handler's. Throws a
 * `ConfigurationError` naming the option at once (handler options included), so a wrong
 * `forRoot()` fails when the module is declared, not on the first request. The handler itself
 * is created later, with the module's providers.
 */
export function resolveModuleOptions (input: unknown): ResolvedModuleOptions {
  const { handler, adapterOptions: options, handlerOptions } = splitAdapterOptions<LogstashModuleOptions>('LogstashModule', input, {
    own: OWN_KEYS,
    // flushed and, when the module created it, closed at shutdown
    handlerMethods: ['log', 'flush', 'close']
  })
  return Object.freeze({
    ...resolveTrackerOptions<IncomingMessage, ServerResponse>({ ...options, loggerName: options.loggerName ?? 'nest', framework: nestFramework() }),
    handler,
    handlerOptions
  })
}
