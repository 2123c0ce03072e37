// Compile-time tests of the public types, checked by the test build (`tsc -b`) with the
// project's own TypeScript: a wrong type fails the build, and so does an `@ts-expect-error`
// that no longer finds its error. Nothing here runs; `typeTests` is never called.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import pino from 'pino'
import { LogstashHandler, SyncLogstashHandler, type Logger } from '@logstash-async/core'
import defaultExport, {
  logstashPlugin, logstashStream, type LogstashDestination, type LogstashPluginHandler, type LogstashPluginOptions
} from '@logstash-async/fastify'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
declare function assertType<T extends true> (): void
declare function expectAssignable<T> (value: T): void

export async function typeTests (): Promise<void> {
  const app = Fastify()

  // The default export is the named one.
  assertType<Equal<typeof defaultExport, typeof logstashPlugin>>()

  // Registration: no options, a handler, handler options, adapter options.
  await app.register(logstashPlugin)
  await app.register(logstashPlugin, { handler: new LogstashHandler() })
  await app.register(logstashPlugin, { handler: new SyncLogstashHandler() })
  await app.register(logstashPlugin, { host: 'logstash.internal', port: 5959, transport: 'udp', flushIntervalMs: 500 })
  await app.register(logstashPlugin, {
    accessLog: true,
    logErrors: false,
    loggerName: 'api',
    accessLevel: (statusCode, aborted) => statusCode >= 500 || aborted ? 'error' : 'info',
    skip: (request, reply) => request.url === '/health' && reply.statusCode === 200,
    user: (request) => request.headers['x-user'] as string | undefined
  })
  await app.register(logstashPlugin, { prefix: '/api' })
  await app.register(defaultExport, { loggerName: 'default-export' })

  // @ts-expect-error accessLog is a boolean
  await app.register(logstashPlugin, { accessLog: 'yes' })
  // @ts-expect-error a handler needs log(), flush() and close()
  await app.register(logstashPlugin, { handler: {} })
  // @ts-expect-error skip returns a boolean
  await app.register(logstashPlugin, { skip: () => 'no' })
  // @ts-expect-error an unknown option is a typo
  await app.register(logstashPlugin, { hots: 'logstash' })
  // @ts-expect-error the access level is one of the logger's levels
  await app.register(logstashPlugin, { accessLevel: () => 'loud' })

  const options: LogstashPluginOptions = { port: 5000, accessLog: false }
  expectAssignable<LogstashPluginOptions>(options)

  // Decorators: the handler on the instance, a request-bound logger on the request.
  assertType<Equal<typeof app.logstash, LogstashPluginHandler>>()
  await app.logstash.flush()
  // @ts-expect-error stats() is LogstashHandler's, not every handler's
  app.logstash.stats()
  app.get('/', async (request: FastifyRequest, reply: FastifyReply) => {
    assertType<Equal<typeof request.logstash, Logger>>()
    request.logstash.info('hello', { orderId: 42 })
    request.logstash.error(new Error('boom'), 'failed')
    // @ts-expect-error the message is a string or an Error
    request.logstash.info(42)
    return reply.send('ok')
  })

  // logstashStream: a pino destination for Fastify's logger or a pino instance.
  const stream = logstashStream(new LogstashHandler(), { messageKey: 'msg' })
  assertType<Equal<typeof stream, LogstashDestination>>()
  Fastify({ logger: { stream } })
  Fastify({ loggerInstance: pino({}, logstashStream()) })
  // @ts-expect-error the handler needs log()
  logstashStream({})
}
