import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { Logger } from '@logstash-async/core'
import { logstash } from './plugin'
import type { LogstashPluginHandler, LogstashPluginOptions } from './options'

declare module 'fastify' {
  interface FastifyInstance {
    /** The handler the plugin writes to (`flush()`, `close()`, and `stats()` on a LogstashHandler). */
    logstash: LogstashPluginHandler
  }
  interface FastifyRequest {
    /** A logger bound to this request: its events carry the request's fields wherever it is called. */
    logstash: Logger
  }
}

/**
 * Fastify plugin: request context for every event logged during a request, one access event
 * per request, one error event per failed request, and the handler flushed (or closed, when
 * the plugin created it) on `fastify.close()`.
 */
export const logstashPlugin: FastifyPluginAsync<LogstashPluginOptions> = fp(logstash, {
  fastify: '5.x',
  name: '@logstash-async/fastify'
})

export default logstashPlugin
export { logstashStream, pinoLevel } from './stream'
export type { LogstashDestination, LogstashStreamOptions } from './stream'
export { PLUGIN_DEFAULTS } from './options'
export type { LogstashPluginHandler, LogstashPluginOptions } from './options'
export { CLIENT_CLOSED_REQUEST } from '@logstash-async/core/adapter'
