import { ConfigurationError, LogstashHandler } from '@logstash-async/core'
import {
  Global, Inject, Module, type BeforeApplicationShutdown, type DynamicModule, type MiddlewareConsumer, type NestModule,
  type OnApplicationShutdown, type Provider
} from '@nestjs/common'
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core'
import { LOGSTASH_HANDLER_LEASE, LOGSTASH_MODULE_OPTIONS, LOGSTASH_REQUEST_TRACKER } from './constants'
import { LogstashContextGuard } from './logstash-context.guard'
import { LogstashContextMiddleware } from './logstash-context.middleware'
import { LogstashErrorInterceptor } from './logstash-error.interceptor'
import { LogstashExceptionFilter } from './logstash-exception.filter'
import { LogstashLogger } from './logstash.logger'
import { leaseHandler, RequestTracker } from '@logstash-async/core/adapter'
import {
  resolveModuleOptions, type HandlerLease, type LogstashModuleAsyncOptions, type LogstashModuleOptions,
  type ResolvedModuleOptions
} from './options'
import { bindRequestContext, type NestTracker } from './platform-binding'

/**
 * The Nest module: provides the `LogstashHandler` and the `LogstashLogger` everywhere
 * (a global module), gives every HTTP request a context (Express and Fastify), logs one
 * access event and at most one error event per request, and flushes at shutdown.
 */
@Global()
@Module({})
export class LogstashModule implements NestModule, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly #lease: HandlerLease
  readonly #bound: boolean

  constructor (
    @Inject(LOGSTASH_HANDLER_LEASE) lease: HandlerLease,
    @Inject(LOGSTASH_REQUEST_TRACKER) tracker: NestTracker,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost
  ) {
    this.#lease = lease
    // Bound now, while Nest creates the providers: `app.init()` registers the Express body
    // parsers later, and the context must come before them. No adapter (null) in an
    // application context without HTTP (`createApplicationContext`).
    const adapter = adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | null | undefined
    this.#bound = adapter != null && bindRequestContext(adapter, tracker)
  }

  /** Options given in the code. See `LogstashModuleOptions`. */
  static forRoot (options: LogstashModuleOptions = {}): DynamicModule {
    const resolved = resolveModuleOptions(options)
    return dynamicModule({ provide: LOGSTASH_MODULE_OPTIONS, useValue: resolved }, [])
  }

  /** Options from a factory, with injected dependencies (a `ConfigService`). */
  static forRootAsync (options: LogstashModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') {
      throw new ConfigurationError(`forRootAsync options.useFactory must be a function, got ${typeof options?.useFactory}`)
    }
    const optionsProvider: Provider = {
      provide: LOGSTASH_MODULE_OPTIONS,
      useFactory: async (...args: unknown[]) => resolveModuleOptions(await options.useFactory(...args)),
      inject: options.inject ?? []
    }
    return dynamicModule(optionsProvider, options.imports ?? [])
  }

  configure (consumer: MiddlewareConsumer): void {
    if (this.#bound) consumer.apply(LogstashContextMiddleware).forRoutes('*')
  }

  /** Delivers what the application logged so far, while the HTTP server closes. */
  async beforeApplicationShutdown (): Promise<void> {
    await this.#lease.handler.flush()
  }

  /**
   * Delivers what other modules logged in their shutdown hooks (Nest calls global modules'
   * hooks last, the first imported last of all), then closes the handler if the module
   * created it.
   */
  async onApplicationShutdown (): Promise<void> {
    if (this.#lease.owned !== undefined) await this.#lease.owned.close()
    else await this.#lease.handler.flush()
  }
}

// forRoot and forRootAsync differ only in how the options are provided.
function dynamicModule (optionsProvider: Provider, imports: DynamicModule['imports']): DynamicModule {
  return {
    module: LogstashModule,
    imports,
    providers: [
      optionsProvider,
      { provide: LOGSTASH_HANDLER_LEASE, useFactory: (options: ResolvedModuleOptions) => leaseHandler(options), inject: [LOGSTASH_MODULE_OPTIONS] },
      { provide: LogstashHandler, useFactory: (lease: HandlerLease) => lease.handler, inject: [LOGSTASH_HANDLER_LEASE] },
      {
        provide: LOGSTASH_REQUEST_TRACKER,
        useFactory: (options: ResolvedModuleOptions, lease: HandlerLease) => new RequestTracker({ ...options, sink: lease.handler }),
        inject: [LOGSTASH_MODULE_OPTIONS, LOGSTASH_HANDLER_LEASE]
      },
      LogstashLogger,
      { provide: APP_GUARD, useClass: LogstashContextGuard },
      { provide: APP_INTERCEPTOR, useClass: LogstashErrorInterceptor },
      { provide: APP_FILTER, useClass: LogstashExceptionFilter }
    ],
    exports: [LogstashHandler, LogstashLogger]
  }
}
