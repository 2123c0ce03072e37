import type { IncomingMessage, ServerResponse } from 'node:http'
import { RequestLifecycle, type RequestTracker } from '@logstash-async/core/adapter'
import type { AbstractHttpAdapter } from '@nestjs/core'

// The few members of the platforms' request objects used here, so that neither Express
// nor Fastify has to be installed to compile or load this package.
type ExpressRequest = IncomingMessage & { ip?: string, protocol?: string, host?: string }
type Next = (err?: unknown) => void
interface FastifyRequestLike { raw: IncomingMessage, ip?: string, protocol?: string, host?: string }
interface FastifyReplyLike { raw: ServerResponse }
type FastifyHook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: Next) => void
interface FastifyInstanceLike { addHook (name: string, hook: FastifyHook): unknown }

/** Nest's request trackers work on Node's request and response, on either platform. */
export type NestTracker = RequestTracker<IncomingMessage, ServerResponse>

/**
 * Begins each request's lifecycle as early as the platform allows. Called when the module is
 * instantiated: on Express that is before `app.init()` registers the body parsers, so
 * every request gets its access event, even one whose body cannot be parsed. On Fastify,
 * Nest has registered @fastify/middie already: Nest middleware runs before this hook
 * (`LogstashContextMiddleware` begins the lifecycle there); the hook covers requests no
 * middleware matched, and the body: Fastify parses it in the socket's async context and
 * runs the later hooks there, so the context is entered again before validation.
 */
export function bindRequestContext (adapter: AbstractHttpAdapter, tracker: NestTracker): boolean {
  const type = adapter.getType()
  if (type === 'express') {
    adapter.use((req: ExpressRequest, res: ServerResponse, next: Next) => {
      const lifecycle = tracker.begin(req, res, { ip: req.ip, protocol: req.protocol, host: req.host })
      if (lifecycle === undefined) next()
      else lifecycle.run(next)
    })
    return true
  }
  if (type === 'fastify') {
    const fastify = adapter.getInstance<FastifyInstanceLike>()
    fastify.addHook('onRequest', (request: FastifyRequestLike, reply: FastifyReplyLike, done: Next) => {
      const lifecycle = tracker.begin(request.raw, reply.raw, { ip: request.ip, protocol: request.protocol, host: request.host })
      if (lifecycle === undefined) done()
      else lifecycle.run(done)
    })
    // What @fastify/request-context does in the same hook.
    fastify.addHook('preValidation', (request: FastifyRequestLike, _reply: FastifyReplyLike, done: Next) => {
      const lifecycle = RequestLifecycle.of(request.raw)
      if (lifecycle === undefined) done()
      else lifecycle.run(done)
    })
    return true
  }
  process.emitWarning(`@logstash-async/nest supports the express and fastify platforms, not "${type}": requests get no context or access events`, { code: 'LOGSTASH_NEST_PLATFORM' })
  return false
}
