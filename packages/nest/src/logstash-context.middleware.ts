import type { IncomingMessage, ServerResponse } from 'node:http'
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common'
import { LOGSTASH_REQUEST_TRACKER } from './constants'
import type { NestTracker } from './platform-binding'

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
  constructor (@Inject(LOGSTASH_REQUEST_TRACKER) private readonly tracker: NestTracker) {}

  use (req: MiddlewareRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    // The request's lifecycle, begun here on Fastify, or found again on Express.
    const lifecycle = this.tracker.begin(req, res, {
      // Middleware mounted on a path sees `url` without it.
      url: req.originalUrl,
      ip: req.ip,
      protocol: req.protocol,
      // Express's `host` has the port; middie copies Fastify's `hostname`, without it.
      host: typeof req.host === 'string' ? req.host : undefined
    })
    if (lifecycle === undefined) next()
    else lifecycle.run(next)
  }
}
