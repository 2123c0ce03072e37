import type { IncomingMessage } from 'node:http'
import { RequestLifecycle } from '@logstash-async/core/adapter'
import { Injectable, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common'
import { catchError, tap, throwError, type Observable } from 'rxjs'

/**
 * Hands the request's lifecycle the real error thrown by a pipe, an interceptor inside this
 * one, a handler or a service, even when a route's own exception filter turns it into a
 * response, and the error of a `StreamableFile` whose stream fails once its first bytes are
 * out (Nest only ends or destroys that response). It is logged once, with the status the
 * request ended with.
 */
@Injectable()
export class LogstashErrorInterceptor implements NestInterceptor {
  intercept (context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle()
    const request = context.switchToHttp().getRequest<IncomingMessage & { raw?: IncomingMessage }>()
    const lifecycle = RequestLifecycle.of(request.raw ?? request)
    if (lifecycle === undefined) return next.handle()
    return next.handle().pipe(
      tap((value: unknown) => {
        if (value instanceof StreamableFile) value.getStream().on('error', (err: unknown) => lifecycle.recordError(err))
      }),
      catchError((err: unknown) => {
        lifecycle.recordError(err)
        return throwError(() => err)
      })
    )
  }
}
