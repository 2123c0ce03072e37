import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger, RequestContext } from '@logstash-async/core'

/** Where the plugin keeps its per-request state on the request (a decorator, so shapes stay stable). */
export const kRequestState = Symbol('@logstash-async/fastify.requestState')

/** What the plugin knows about one request, from `onRequest` to the end of the response. */
export interface RequestState {
  readonly context: RequestContext
  readonly reply: FastifyReply
  /** The first error of the request, seen in `onError`, logged once the status is final. */
  error: unknown
  hasError: boolean
  /** The access and error events were written: nothing more to log for this request. */
  finished: boolean
  /** `request.logstash`, created on first use. */
  logger: Logger | undefined
}

type RequestWithState = FastifyRequest & { [kRequestState]?: RequestState | null }

/** The plugin's state of `request`: `null` before its `onRequest` hook ran (or outside its scope). */
export function getRequestState (request: FastifyRequest): RequestState | null | undefined {
  return (request as RequestWithState)[kRequestState]
}

/** Attaches the plugin's state to `request`, in `onRequest`. */
export function setRequestState (request: FastifyRequest, state: RequestState): void {
  (request as RequestWithState)[kRequestState] = state
}


/**
 * Makes `context.user` a getter calling `user(request)`, so the user is the one known when
 * each event is logged: authentication usually runs in hooks after the request started.
 */
export function defineUser (context: RequestContext, request: FastifyRequest, user: (request: FastifyRequest) => string | undefined): void {
  Object.defineProperty(context, 'user', {
    enumerable: true,
    configurable: true,
    get (): string | undefined {
      try {
        const value = user(request)
        return value === undefined || value === null ? undefined : String(value)
      } catch {
        return undefined
      }
    }
  })
}
