import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  contextFromIncoming, logAccess, logRequestError, requestContext, resolveRequestId,
  type LogSink, type RequestContext
} from '@logstash-async/core'
import { contentLength, isAccessSkipped } from '@logstash-async/core/internal'
import type { ResolvedModuleOptions } from './options'

/** What the adapter tracks for one request, beside the core's request context. */
export interface RequestState {
  readonly context: RequestContext
  readonly sink: LogSink
  readonly options: ResolvedModuleOptions
  /** The first error seen for the request, logged with the final status when the response ends. */
  error: { value: unknown } | undefined
  /** True once the response ended and its events were written. */
  ended: boolean
}

/** What `beginRequest` needs to know that only the platform can tell (after its trust-proxy decision). */
export interface PlatformFacts {
  /** The URL as received, where middleware sees it shortened by its mount path. */
  originalUrl?: string | undefined
  ip?: string | undefined
  protocol?: string | undefined
  host?: string | undefined
}

// Keyed by Node's request object, which Express and Fastify (`request.raw`) both expose, and
// by the context, which is what a logger call can see.
const byRequest = new WeakMap<IncomingMessage, RequestState>()
const byContext = new WeakMap<RequestContext, RequestState>()

let frameworkInfo: { name: string, version: string } | undefined

/** `{ name: 'nest', version }` of the @nestjs/core in use, for the `nest_version` field. */
function framework (): { name: string, version: string } {
  if (frameworkInfo === undefined) {
    let version = 'unknown'
    try {
      version = (require('@nestjs/core/package.json') as { version: string }).version
    } catch { /* a bundled app may not ship package.json files */ }
    frameworkInfo = Object.freeze({ name: 'nest', version })
  }
  return frameworkInfo
}

/** The state of a request, by Node's request object. */
export function stateOfRequest (req: IncomingMessage | undefined): RequestState | undefined {
  return req === undefined ? undefined : byRequest.get(req)
}

/** The state of the request whose context is active, if any. */
export function currentState (): RequestState | undefined {
  const context = requestContext.get()
  return context === undefined ? undefined : byContext.get(context)
}

/**
 * Starts tracking a request: builds its context and arranges for its error and access
 * events when the response ends. Returns the existing state when the request is already
 * tracked (the module imported twice), so every request is logged once.
 */
export function beginRequest (req: IncomingMessage, res: ServerResponse, options: ResolvedModuleOptions, sink: LogSink, facts: PlatformFacts): RequestState {
  const existing = byRequest.get(req)
  if (existing !== undefined) return existing
  const context = contextFromIncoming(req, {
    id: resolveRequestId(req.headers[options.requestIdHeader]),
    ip: facts.ip,
    protocol: facts.protocol,
    host: facts.host,
    framework: framework()
  })
  if (typeof facts.originalUrl === 'string' && facts.originalUrl !== context.url) {
    context.url = facts.originalUrl
    const query = facts.originalUrl.indexOf('?')
    context.path = query === -1 ? facts.originalUrl : facts.originalUrl.slice(0, query)
  }
  const state: RequestState = { context, sink, options, error: undefined, ended: false }
  byRequest.set(req, state)
  byContext.set(context, state)
  // 'close' follows 'finish' on a complete response and comes alone on an aborted one.
  res.once('close', () => endRequest(state, req, res))
  return state
}

/**
 * Remembers the error of a request; it is logged when the response ends, with the status
 * the exception filters chose. The first error wins: filters and loggers that see the
 * same error later add nothing.
 */
export function noteRequestError (state: RequestState, error: unknown): void {
  if (state.error !== undefined) return
  state.error = { value: error }
  // An error reported after the response ended (a late async failure) is logged at once.
  if (state.ended) {
    requestContext.run(state.context, () => logRequestError(state.sink, state.context, error, {
      statusCode: state.context.statusCode ?? 500,
      logger: state.options.loggerName
    }))
  }
}

function endRequest (state: RequestState, req: IncomingMessage, res: ServerResponse): void {
  if (state.ended) return
  state.ended = true
  const aborted = !res.writableFinished
  const statusCode = res.statusCode
  const { accessLog, accessLevel, loggerName, skip } = state.options
  // Run in the request's context so these events carry its fields like every other one.
  requestContext.run(state.context, () => {
    if (state.error !== undefined) logRequestError(state.sink, state.context, state.error.value, { statusCode, logger: loggerName })
    if (accessLog && !isAccessSkipped(skip, req, res)) {
      logAccess(state.sink, state.context, {
        statusCode,
        aborted,
        requestBytes: contentLength(req.headers['content-length']),
        responseBytes: aborted ? undefined : contentLength(res.getHeader('content-length')),
        level: accessLevel,
        logger: loggerName
      })
    }
  })
}
