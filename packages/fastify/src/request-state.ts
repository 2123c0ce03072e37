import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RequestLifecycle } from '@logstash-async/core/adapter'

/** The lifecycle of a request, as the plugin tracks it: with Fastify's request and reply. */
export type FastifyLifecycle = RequestLifecycle<FastifyRequest, FastifyReply>

/** Where the plugin keeps the request's lifecycle on the request (a decorator, so shapes stay stable). */
export const kLifecycle = Symbol('@logstash-async/fastify.lifecycle')

type RequestWithLifecycle = FastifyRequest & { [kLifecycle]?: FastifyLifecycle | null }

/** The lifecycle of `request`: `null` before the plugin's `onRequest` hook ran (or outside its scope). */
export function lifecycleOf (request: FastifyRequest): FastifyLifecycle | null | undefined {
  return (request as RequestWithLifecycle)[kLifecycle]
}

/** Attaches the lifecycle to `request`, in `onRequest`. */
export function setLifecycle (request: FastifyRequest, lifecycle: FastifyLifecycle): void {
  (request as RequestWithLifecycle)[kLifecycle] = lifecycle
}
