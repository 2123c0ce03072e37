// The adapter kit: what @logstash-async/express, /fastify and /nest are built from, for an
// adapter of another framework (Koa, Hapi, a plain `http` server). See the README's
// "Writing an adapter".
export { RequestTracker, resolveTrackerOptions } from './http/request-tracker'
export type { RequestTrackerOptions } from './http/request-tracker'
export { RequestLifecycle } from './http/request-lifecycle'
export type { RequestFacts, TrackerSettings } from './http/request-lifecycle'
export { checkHeaderName, leaseHandler, splitAdapterOptions } from './http/adapter-options'
export type { AdapterOptionKeys, HandlerLease, SplitAdapterOptions, WithHandler } from './http/adapter-options'
export { ACCESS_DEFAULTS, CLIENT_CLOSED_REQUEST, defaultAccessLevel } from './http/access'
export type { AccessLevelFn } from './http/access'
export { logRequestError, requestErrorLevel } from './http/request-error'
export type { RequestErrorOptions } from './http/request-error'
export { DEFAULT_REQUEST_ID_HEADER, isWellFormedRequestId, resolveRequestId } from './http/request-id'
export { contextFromIncoming } from './http/incoming'
export type { IncomingContextOptions } from './http/incoming'
export { boundSink } from './http/bound-sink'
