import type { IncomingMessage } from 'node:http'
import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common'
import { APP_FILTER, BaseExceptionFilter, ModulesContainer } from '@nestjs/core'
import { RequestLifecycle } from '@logstash-async/core/adapter'
import { throwError } from 'rxjs'

// What `@Catch(...types)` stores, on the filter's prototype (Nest 12) or class (Nest 11).
const FILTER_CATCH_EXCEPTIONS = '__filterCatchExceptions__'
// How Nest names the provider of each `{ provide: APP_FILTER }` it registers.
const APP_FILTER_TOKEN_PREFIX = `${APP_FILTER} (UUID:`

/**
 * Remembers the real error of a request that no interceptor saw (a guard's rejection, an
 * exception from middleware or an outer interceptor), to be logged with the final status
 * when the response ends, then hands the exception on to the filter Nest would have
 * chosen without this one, so that the application's responses do not change.
 *
 * Nest asks the route's own filters first, then the global ones, the latest registered
 * first, and calls only one. This filter is registered as an `APP_FILTER`, so it comes
 * before the `APP_FILTER`s of modules scanned before it (the root module's): it passes
 * each exception to the first of those that catches it, or to Nest's built-in handling.
 * Filters added with `app.useGlobalFilters()` come before it and are not affected.
 */
@Catch()
export class LogstashExceptionFilter extends BaseExceptionFilter implements ExceptionFilter {
  readonly #modules: ModulesContainer
  #earlierFilters: ExceptionFilter[] | undefined

  constructor (@Inject(ModulesContainer) modules: ModulesContainer) {
    super()
    this.#modules = modules
  }

  override catch (exception: unknown, host: ArgumentsHost): unknown {
    const isHttp = host.getType() === 'http'
    if (isHttp) {
      const request = host.switchToHttp().getRequest<IncomingMessage & { raw?: IncomingMessage }>()
      RequestLifecycle.of(request?.raw ?? request)?.recordError(exception)
    }
    const next = this.#filterFor(exception)
    if (next !== undefined) return next.catch(exception, host)
    // An RPC exception reaches global filters in a hybrid app with `inheritAppConfig`:
    // hand it back to the microservice's own handling rather than answering over HTTP.
    if (!isHttp) return throwError(() => exception)
    return super.catch(exception, host)
  }

  #filterFor (exception: unknown): ExceptionFilter | undefined {
    this.#earlierFilters ??= this.#findEarlierFilters()
    return this.#earlierFilters.find((filter) => {
      const types = catchTypes(filter)
      return types.length === 0 || types.some((type) => exception instanceof type)
    })
  }

  // The APP_FILTERs registered before this one, the latest first: Nest's order of choice.
  // Read once, on the first exception, when every provider has its instance.
  #findEarlierFilters (): ExceptionFilter[] {
    const earlier: ExceptionFilter[] = []
    for (const moduleRef of this.#modules.values()) {
      for (const [token, wrapper] of moduleRef.providers) {
        if (typeof token !== 'string' || !token.startsWith(APP_FILTER_TOKEN_PREFIX)) continue
        const instance = wrapper.instance as ExceptionFilter | undefined
        if (instance === this) return earlier.reverse()
        // Another copy of this filter (the module imported twice) has nothing to add.
        if (instance instanceof LogstashExceptionFilter || typeof instance?.catch !== 'function') continue
        earlier.push(instance)
      }
    }
    return earlier.reverse()
  }
}

function catchTypes (filter: ExceptionFilter): Function[] {
  const types = (Reflect.getMetadata(FILTER_CATCH_EXCEPTIONS, Object.getPrototypeOf(filter)) ??
    Reflect.getMetadata(FILTER_CATCH_EXCEPTIONS, filter.constructor)) as Function[] | undefined
  return Array.isArray(types) ? types : []
}
