import type { IncomingMessage } from 'node:http'
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common'
import { catchError, throwError, type Observable } from 'rxjs'
import { noteRequestError, stateOfRequest } from './request-state'

/**
 * Remembers the real error thrown by a pipe, an interceptor inside this one, a handler or a
 * service, even when a route's own exception filter turns it into a response. It is logged
 * once, with the status the filters chose, when the response ends.
 */
@Injectable()
export class LogstashErrorInterceptor implements NestInterceptor {
  intercept (context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle()
    const request = context.switchToHttp().getRequest<IncomingMessage & { raw?: IncomingMessage }>()
    const state = stateOfRequest(request.raw ?? request)
    if (state === undefined) return next.handle()
    return next.handle().pipe(catchError((err: unknown) => {
      noteRequestError(state, err)
      return throwError(() => err)
    }))
  }
}
