import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import {
  CLIENT_CLOSED_REQUEST, ConfigurationError, contextFromIncoming, createLogger, logAccess, logRequestError, requestContext,
  type Logger, type RequestContext
} from '@logstash-async/core'
import { boundSink, contentLength, isAccessSkipped } from '@logstash-async/core/internal'
import { resolvePluginOptions, type LogstashPluginOptions, type ResolvedPluginOptions } from './options'
import {
  defineUser, getRequestState, kRequestState, setRequestState, type RequestState
} from './request-state'

/**
 * The plugin body (wrapped with fastify-plugin in `index.ts`): decorators, the request
 * context from `onRequest` to `onResponse`, one access event and at most one error event per
 * request, and the handler's flush or close in `onClose`.
 */
export async function logstash (fastify: FastifyInstance, options: LogstashPluginOptions): Promise<void> {
  if (fastify.hasDecorator('logstash')) {
    // A second registration in the same scope or below would log every request twice.
    throw new ConfigurationError('logstashPlugin is already registered in this Fastify scope or a parent one: register it once, first')
  }
  const resolved = resolvePluginOptions(options)
  const { handler, loggerName } = resolved
  const framework = Object.freeze({ name: 'fastify', version: fastify.version })
  const unboundLogger = createLogger({ handler, name: loggerName })
  const finish = finisher(resolved)

  fastify.decorate('logstash', handler)
  fastify.decorateRequest(kRequestState, null)
  fastify.decorateRequest('logstash', {
    getter (this: FastifyRequest): Logger {
      const state = getRequestState(this)
      if (state === null || state === undefined) return unboundLogger
      state.logger ??= createLogger({ handler: boundSink(handler, state.context), name: loggerName })
      return state.logger
    }
  })

  fastify.addHook('onRequest', function logstashOnRequest (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    let context: RequestContext
    try {
      context = contextFromIncoming(request.raw, {
        id: String(request.id),
        ip: request.ip,
        protocol: request.protocol,
        // request.host keeps the port (request.hostname drops it): req_uri needs it.
        host: request.host,
        route: request.routeOptions.url,
        framework
      })
      if (resolved.user !== undefined) defineUser(context, request, resolved.user)
      const state: RequestState = { context, reply, error: undefined, hasError: false, finished: false, logger: undefined }
      setRequestState(request, state)
      // onRequestAbort fires only while the request body is unread: a client that leaves
      // while the handler works on a parsed body is seen only as a response closed unfinished.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) finish(request, state, true)
      })
    } catch {
      done()
      return
    }
    // Everything done() starts synchronously (the next hooks, preParsing, the body
    // parser's setup) and everything it schedules runs with the context active.
    requestContext.run(context, done)
  })

  // The body parser resumes on the request stream's 'end' event, outside the context that
  // onRequest entered (as in @fastify/request-context): each later stage enters it again, so
  // validation, preHandler, the handler, serialization and onSend hooks all see it, even when
  // a reply is sent from a callback that lost it.
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
  fastify.addHook('onSend', function logstashOnSend (request, reply, payload, done) {
    const state = getRequestState(request)
    if (state !== null && state !== undefined) state.context.statusCode = reply.statusCode
    reenter(request, () => done(null, payload))
  })
  fastify.addHook('onError', function logstashOnError (request, _reply, error, done) {
    const state = getRequestState(request)
    // The status is final only once the error handler ran (a custom one may map the error
    // to a 404): the event is written in onResponse, with the error seen here.
    if (resolved.logErrors && state !== null && state !== undefined && !state.hasError) {
      state.hasError = true
      state.error = error
    }
    reenter(request, done)
  })
  fastify.addHook('onTimeout', function logstashOnTimeout (request, _reply, done) {
    reenter(request, done)
  })
  fastify.addHook('onRequestAbort', function logstashOnRequestAbort (request, done) {
    const state = getRequestState(request)
    if (state !== null && state !== undefined) finish(request, state, true)
    reenter(request, done)
  })
  fastify.addHook('onResponse', function logstashOnResponse (request, _reply, done) {
    const state = getRequestState(request)
    if (state !== null && state !== undefined) finish(request, state, false)
    reenter(request, done)
  })

  // Hooks run in reverse order of registration on close: registered first, this one runs
  // last, so what other plugins log while closing is still delivered.
  fastify.addHook('onClose', async function logstashOnClose () {
    try {
      if (resolved.owned !== undefined) await resolved.owned.close()
      else await handler.flush()
    } catch {
      // The handler reports its own failures; closing Fastify must not fail for them.
    }
  })
}

function reenter (request: FastifyRequest, next: () => void): void {
  const state = getRequestState(request)
  if (state === null || state === undefined || requestContext.get() === state.context) next()
  else requestContext.run(state.context, next)
}

/** Writes a request's error event (if any) and its access event, once. Never throws. */
function finisher (options: ResolvedPluginOptions): (request: FastifyRequest, state: RequestState, aborted: boolean) => void {
  const { handler, loggerName, accessLog, accessLevel, skip } = options
  return (request, state, aborted) => {
    if (state.finished) return
    state.finished = true
    const { context, reply } = state
    requestContext.run(context, () => {
      try {
        const headersSent = reply.raw.headersSent
        const statusCode = aborted && !headersSent ? CLIENT_CLOSED_REQUEST : reply.statusCode
        context.statusCode = statusCode
        if (state.hasError) logRequestError(handler, context, state.error, { statusCode, logger: loggerName })
        if (!accessLog || isAccessSkipped(skip, request, reply)) return
        const elapsedMs = reply.elapsedTime
        logAccess(handler, context, {
          statusCode,
          aborted,
          responseBytes: headersSent ? contentLength(reply.raw.getHeader('content-length')) : undefined,
          requestBytes: contentLength(request.headers['content-length']),
          level: accessLevel,
          logger: loggerName,
          // Fastify's own clock (reply.elapsedTime) starts before the first onRequest hook.
          ...(context.startTime !== undefined && Number.isFinite(elapsedMs) ? { endTime: context.startTime + elapsedMs } : {})
        })
      } catch {
        // Logging must never break a response.
      }
    })
  }
}
