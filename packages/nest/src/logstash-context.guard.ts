import type { IncomingMessage } from 'node:http'
import { requestContext } from '@logstash-async/core'
import { RequestLifecycle } from '@logstash-async/core/adapter'
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common'

/**
 * Adds the controller and handler names and the route pattern to the request's context.
 * A guard, not an interceptor, because guards are the first step of Nest's pipeline that
 * knows the route: logs from the later guards, the interceptors and pipes, and a guard's
 * rejection, carry the names too. It never denies anything.
 */
@Injectable()
export class LogstashContextGuard implements CanActivate {
  canActivate (context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true
    const request = context.switchToHttp().getRequest<PlatformRequest>()
    const lifecycle = RequestLifecycle.of(request.raw ?? request as IncomingMessage)
    if (lifecycle === undefined) return true
    const route = request.routeOptions?.url ?? request.route?.path
    if (typeof route === 'string') lifecycle.context.route = route
    requestContext.assign({ controller: context.getClass().name, handler: context.getHandler().name })
    return true
  }
}

// Express's request is Node's, with `route`; Fastify's wraps Node's in `raw`, with `routeOptions`.
type PlatformRequest = IncomingMessage & {
  raw?: IncomingMessage
  route?: { path?: unknown }
  routeOptions?: { url?: unknown }
}
