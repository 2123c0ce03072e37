import type { IncomingMessage, ServerResponse } from 'node:http'
import { requestContext } from '@logstash-async/core'
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common'
import { LOGSTASH_HANDLER_LEASE, LOGSTASH_MODULE_OPTIONS } from './constants'
import type { HandlerLease, ResolvedModuleOptions } from './options'
import { beginRequest } from './request-state'

// Node's request, with what Express adds, or what @fastify/middie copies onto it.
type MiddlewareRequest = IncomingMessage & { originalUrl?: string, ip?: string, protocol?: string, host?: string }

/**
 * Enters the request context in Nest's middleware chain, where the module's middleware
 * comes first (Nest mounts a global module's middleware before the others'):
 * - Express: again, after the body parsers, which read the body outside of it;
 * - Fastify: for the first time, because Nest registers @fastify/middie, whose request
 *   hook runs all Nest middleware, before the module can add a hook of its own.
 */
@Injectable()
export class LogstashContextMiddleware implements NestMiddleware {
  constructor (
    @Inject(LOGSTASH_MODULE_OPTIONS) private readonly options: ResolvedModuleOptions,
    @Inject(LOGSTASH_HANDLER_LEASE) private readonly lease: HandlerLease
  ) {}

  use (req: MiddlewareRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    const state = beginRequest(req, res, this.options, this.lease.handler, {
      // Middleware mounted on a path sees `url` without it.
      originalUrl: req.originalUrl,
      ip: req.ip,
      protocol: req.protocol,
      // Express's `host` has the port; middie copies Fastify's `hostname`, without it.
      host: typeof req.host === 'string' ? req.host : undefined
    })
    requestContext.run(state.context, next)
  }
}
