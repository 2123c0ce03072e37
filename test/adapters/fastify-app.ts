import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { createLogger } from '@logstash-async/core'
import { logstashPlugin } from '@logstash-async/fastify'
import type { AdapterUnderTest } from './adapter-under-test'
import { chunkedSource, isSkippedPath, LATE_CHUNK, STREAM_CHUNKS } from './routes'

export const FASTIFY_ADAPTER: AdapterUnderTest = {
  name: 'Fastify',
  async start (sink, control) {
    const log = createLogger({ handler: sink, name: 'route' })
    // Fastify reuses an incoming request id only from the header it is told to trust.
    const app = Fastify({ requestIdHeader: 'x-request-id' })
    await app.register(logstashPlugin, { handler: sink, skip: (request) => isSkippedPath(request.url) })
    app.get('/ok', async (_request, reply) => {
      log.info('in route')
      void reply.header('x-answer', '42').type('text/plain')
      return 'ok'
    })
    app.get('/stream', async (_request, reply) => reply.type('text/plain').send(chunkedSource(STREAM_CHUNKS)))
    app.get('/hang', async () => {
      control.enter()
      await control.released
      return 'late'
    })
    app.get('/fail', async () => { throw new Error('boom') })
    app.get('/fail-late', async (_request, reply) => reply.type('text/plain').send(chunkedSource([LATE_CHUNK], new Error('source failed'))))
    app.get('/health', async () => {
      log.info('health checked')
      return 'ok'
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    return {
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      async close () { await app.close() }
    }
  }
}
