import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { ConfigurationError, createLogger, type Logger } from '@logstash-async/core'
import { resolvePluginOptions, type LogstashPluginOptions } from './options'
import { kLifecycle, lifecycleOf, setLifecycle } from './request-state'

/**
 * The plugin body (wrapped with fastify-plugin in `index.ts`): Fastify's hooks, wired to the
 * core's request lifecycle. `onRequest` begins it (the core ends it when the response
 * finishes or closes, writing the access event and the error event, if any); the later
 * hooks enter the request context again where Fastify lost it; `onError` and a failing
 * stream payload hand the request's error over; `onClose` flushes or closes the handler.
 */
export async function logstash (fastify: FastifyInstance, options: LogstashPluginOptions): Promise<void> {
  if (fastify.hasDecorator('logstash')) {
    // A second registration in the same scope or below would log every request twice.
    throw new ConfigurationError('logstashPlugin is already registered in this Fastify scope or a parent one: register it once, first')
  }
  const { handler, owned, tracker } = resolvePluginOptions(options, { name: 'fastify', version: fastify.version })
  const unboundLogger = createLogger({ handler, name: tracker.settings.loggerName })

  fastify.decorate('logstash', handler)
  fastify.decorateRequest(kLifecycle, null)
  fastify.decorateRequest('logstash', {
    getter (this: FastifyRequest): Logger {
      return lifecycleOf(this)?.logger ?? unboundLogger
    }
  })

  fastify.addHook('onRequest', function logstashOnRequest (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const lifecycle = tracker.begin(request.raw, reply.raw, {
      id: String(request.id),
      ip: request.ip,
      protocol: request.protocol,
      // request.host keeps the port (request.hostname drops it): req_uri needs it.
      host: request.host,
      route: request.routeOptions.url,
      request,
      reply
    })
    if (lifecycle === undefined) { done(); return }
    setLifecycle(request, lifecycle)
    // Everything done() starts synchronously (the next hooks, preParsing, the body
    // parser's setup) and everything it schedules runs with the context active.
    lifecycle.run(done)
  })

  // The body parser resumes on the request stream's 'end' event, outside the context that
  // onRequest entered (as in @fastify/request-context): each later stage enters it again, so
  // validation, preHandler, the handler, serialization, onSend and onResponse hooks all see
  // it, even when a reply is sent from a callback that lost it.
  fastify.addHook('preParsing', function logstashPreParsing (request, _reply, payload, done) {
    reenter(request, () => done(null, payload))
  })
  fastify.addHook('preValidation', function logstashPreValidation (request, _reply, done) {
    reenter(request, done)
  })
  fastify.addHook('preHandler', function logstashPreHandler (request, _reply, done) {
    reenter(request, done)
  })
  fastify.addHook('preSerialization', function logstashPreSerialization (request, _reply, payload, done) {
    reenter(request, () => done(null, payload))
  })
  fastify.addHook('onSend', function logstashOnSend (request, _reply, payload, done) {
    // A stream that fails once its first bytes are out never reaches onError: Fastify only
    // destroys the response. Its error is the request's.
    const lifecycle = lifecycleOf(request)
    if (lifecycle != null && isNodeStream(payload)) payload.on('error', (err: unknown) => lifecycle.recordError(err))
    reenter(request, () => done(null, payload))
  })
  fastify.addHook('onError', function logstashOnError (request, _reply, error, done) {
    // Logged when the response ends, with the status the error handler chose.
    lifecycleOf(request)?.recordError(error)
    reenter(request, done)
  })
  fastify.addHook('onTimeout', function logstashOnTimeout (request, _reply, done) {
    reenter(request, done)
  })
  fastify.addHook('onRequestAbort', function logstashOnRequestAbort (request, done) {
    reenter(request, done)
  })
  fastify.addHook('onResponse', function logstashOnResponse (request, _reply, done) {
    // Fastify's own end of the request: the events come before its 'request completed'.
    lifecycleOf(request)?.end()
    reenter(request, done)
  })

  // Hooks run in reverse order of registration on close: registered first, this one runs
  // last, so what other plugins log while closing is still delivered.
  fastify.addHook('onClose', async function logstashOnClose () {
    try {
      if (owned !== undefined) await owned.close()
      else await handler.flush()
    } catch {
      // The handler reports its own failures; closing Fastify must not fail for them.
    }
  })
}

function reenter (request: FastifyRequest, next: () => void): void {
  const lifecycle = lifecycleOf(request)
  if (lifecycle == null) next()
  else lifecycle.run(next)
}

function isNodeStream (payload: unknown): payload is NodeJS.ReadableStream {
  return typeof payload === 'object' && payload !== null && typeof (payload as { pipe?: unknown }).pipe === 'function' &&
    typeof (payload as { on?: unknown }).on === 'function'
}
