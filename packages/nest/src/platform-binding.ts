import type { IncomingMessage, ServerResponse } from 'node:http'
import { requestContext, type LogSink } from '@logstash-async/core'
import type { AbstractHttpAdapter } from '@nestjs/core'
import type { ResolvedModuleOptions } from './options'
import { beginRequest, stateOfRequest } from './request-state'

// The few members of the platforms' request objects used here, so that neither Express
// nor Fastify has to be installed to compile or load this package.
type ExpressRequest = IncomingMessage & { ip?: string, protocol?: string, host?: string }
type Next = (err?: unknown) => void
interface FastifyRequestLike { raw: IncomingMessage, ip?: string, protocol?: string, host?: string }
interface FastifyReplyLike { raw: ServerResponse }
type FastifyHook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: Next) => void
interface FastifyInstanceLike { addHook (name: string, hook: FastifyHook): unknown }

/**
 * Starts tracking each request as early as the platform allows. Called when the module is
 * instantiated: on Express that is before `app.init()` registers the body parsers, so
 * every request gets its access event, even one whose body cannot be parsed. On Fastify,
 * Nest has registered @fastify/middie already: Nest middleware runs before this hook
 * (`LogstashContextMiddleware` enters the context there); the hook covers requests no
 * middleware matched, and the body: Fastify parses it in the socket's async context and
 * runs the later hooks there, so the context is entered again before validation.
 */
export function bindRequestContext (adapter: AbstractHttpAdapter, options: ResolvedModuleOptions, sink: LogSink): boolean {
  const type = adapter.getType()
  if (type === 'express') {
    adapter.use((req: ExpressRequest, res: ServerResponse, next: Next) => {
      const state = beginRequest(req, res, options, sink, { ip: req.ip, protocol: req.protocol, host: req.host })
      requestContext.run(state.context, next)
    })
    return true
  }
  if (type === 'fastify') {
    const fastify = adapter.getInstance<FastifyInstanceLike>()
    fastify.addHook('onRequest', (request, reply, done) => {
      const state = beginRequest(request.raw, reply.raw, options, sink, { ip: request.ip, protocol: request.protocol, host: request.host })
      requestContext.run(state.context, done)
    })
    // What @fastify/request-context does in the same hook.
    fastify.addHook('preValidation', (request, _reply, done) => reenter(request.raw, done))
    return true
  }
  process.emitWarning(`@logstash-async/nest supports the express and fastify platforms, not "${type}": requests get no context or access events`, { code: 'LOGSTASH_NEST_PLATFORM' })
  return false
}

function reenter (req: IncomingMessage, next: Next): void {
  const state = stateOfRequest(req)
  if (state === undefined) next()
  else requestContext.run(state.context, next)
}
