
export { logstashMiddleware } from './middleware'
export type { LogstashMiddleware } from './middleware'
export { logstashErrorMiddleware, errorStatus } from './error-middleware'
export type { LogstashErrorMiddleware } from './error-middleware'
export type { LogstashMiddlewareOptions } from './options'
export { CLIENT_CLOSED_REQUEST } from '@logstash-async/core'
export { defaultUser } from './user'
