import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { ConfigurationError } from '@logstash-async/core'
import { logstashPlugin } from '@logstash-async/fastify'
import { buildApp, send } from './app'
import { RecordingHandler } from './recording-handler'

/** Starts a request and destroys its socket once `started` resolves (the handler is running). */
function abandon (app: FastifyInstance, path: string, id: string, started: Promise<void>, body?: string): void {
  const { port } = app.server.address() as AddressInfo
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    path,
    method: body === undefined ? 'GET' : 'POST',
    agent: false,
    headers: {
      'x-request-id': id,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    }
  })
  request.on('error', () => {})
  request.end(body)
  void started.then(() => request.destroy())
}

describe('fastify access and error events', () => {
  let app: FastifyInstance | undefined

  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  it('logs one access event per request with method, route, status, duration and bytes', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.post('/orders/:id', async () => ({ ok: true }))
    })
    app = built.app
    await send(app, 'inject', { method: 'POST', url: '/orders/42?x=1', json: { item: 'book' }, headers: { 'x-request-id': 'acc-1' } })
    const access = built.handler.access()
    assert.equal(access.length, 1)
    const event = access[0]!
    assert.equal(event.message.startsWith('POST /orders/42?x=1 200 '), true, event.message)
    assert.equal(event.level, 'INFO')
    assert.equal(event.logger_name, 'fastify')
    assert.equal(event.request_id, 'acc-1')
    assert.equal(event.req_route, '/orders/:id')
    assert.equal(event.req_method, 'POST')
    assert.equal(event.status_code, 200)
    assert.equal(event.aborted, false)
    assert.equal(event.response_bytes, Buffer.byteLength('{"ok":true}'))
    assert.equal(event.request_bytes, Buffer.byteLength('{"item":"book"}'))
    assert.equal(typeof event.duration_ms, 'number')
    assert.ok((event.duration_ms as number) >= 0)
  })

  it('writes the absolute URL with the listening port into req_uri', async () => {
    const built = await buildApp('listen', (fastify) => {
      fastify.get('/where', async () => 'here')
    })
    app = built.app
    await send(app, 'listen', { url: '/where?x=1' })
    const { port } = app.server.address() as AddressInfo
    assert.equal(built.handler.access()[0]?.req_uri, `http://127.0.0.1:${port}/where?x=1`)
    assert.equal(built.handler.access()[0]?.req_remote_address, '127.0.0.1')
  })

  it('takes the request id from genReqId', async () => {
    let n = 0
    const built = await buildApp('inject', (fastify) => {
      fastify.get('/id', async (request) => request.id)
    }, { fastify: { requestIdHeader: false, genReqId: () => `gen-${++n}` } })
    app = built.app
    const response = await send(app, 'inject', { url: '/id', headers: { 'x-request-id': 'ignored' } })
    assert.equal(response.body, 'gen-1')
    assert.equal(built.handler.access()[0]?.request_id, 'gen-1')
  })

  it('takes the request id from the requestIdHeader Fastify is told to trust', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.get('/id', async (request) => request.id)
    }, { fastify: { requestIdHeader: 'x-correlation-id' } })
    app = built.app
    const response = await send(app, 'inject', { url: '/id', headers: { 'x-correlation-id': 'from-upstream-7' } })
    assert.equal(response.body, 'from-upstream-7')
    assert.equal(built.handler.access()[0]?.request_id, 'from-upstream-7')
  })

  it('logs a failing request once, with the real error and the status the error handler chose', async () => {
    class NotFoundError extends Error {
      override name = 'NotFoundError'
    }
    const built = await buildApp('inject', (fastify) => {
      fastify.setErrorHandler(async (error, _request, reply) => {
        return reply.code(error instanceof NotFoundError ? 404 : 500).send({ message: (error as Error).message })
      })
      fastify.get('/orders/:id', async () => {
        throw new NotFoundError('order 9 not found', { cause: new Error('no row') })
      })
    })
    app = built.app
    const response = await send(app, 'inject', { url: '/orders/9', headers: { 'x-request-id': 'err-404' } })
    assert.equal(response.statusCode, 404)
    const errors = built.handler.events.filter((e) => e.error_type !== undefined)
    assert.equal(errors.length, 1)
    const error = errors[0]!
    assert.equal(error.message, 'order 9 not found')
    assert.equal(error.error_type, 'NotFoundError')
    assert.match(String(error.stack_trace), /NotFoundError: order 9 not found[\s\S]*Caused by: Error: no row/)
    assert.equal(error.status_code, 404)
    assert.equal(error.level, 'WARNING')
    assert.equal(error.request_id, 'err-404')
    const access = built.handler.access()
    assert.equal(access.length, 1)
    assert.equal(access[0]?.status_code, 404)
    assert.equal(access[0]?.error_type, undefined)
  })

  it('logs a thrown error with its statusCode, at ERROR for a 5xx', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.get('/boom', async () => { throw Object.assign(new Error('database down'), { statusCode: 503 }) })
    })
    app = built.app
    const response = await send(app, 'inject', { url: '/boom' })
    assert.equal(response.statusCode, 503)
    const errors = built.handler.events.filter((e) => e.error_type !== undefined)
    assert.equal(errors.length, 1)
    assert.equal(errors[0]?.level, 'ERROR')
    assert.equal(errors[0]?.status_code, 503)
    assert.equal(built.handler.access()[0]?.level, 'ERROR')
  })

  it('logs a schema validation failure as one warning with status 400', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.post('/strict', { schema: { body: { type: 'object', required: ['item'] } } }, async () => 'ok')
    })
    app = built.app
    const response = await send(app, 'inject', { method: 'POST', url: '/strict', json: { other: 1 } })
    assert.equal(response.statusCode, 400)
    const errors = built.handler.events.filter((e) => e.error_type !== undefined)
    assert.equal(errors.length, 1)
    assert.equal(errors[0]?.level, 'WARNING')
    assert.equal(errors[0]?.status_code, 400)
    assert.equal(built.handler.access().length, 1)
  })

  it('logs a request with no route as one 404 access event without a route', async () => {
    const built = await buildApp('inject', () => {})
    app = built.app
    await send(app, 'inject', { url: '/missing' })
    assert.equal(built.handler.events.length, 1)
    const event = built.handler.access()[0]!
    assert.equal(event.status_code, 404)
    assert.equal(event.level, 'WARNING')
    assert.equal(event.req_route, undefined)
  })

  for (const [what, body] of [['before its body was read', undefined], ['after its JSON body was parsed', '{"a":1}']] as const) {
    it(`logs a request the client abandoned ${what} once, as aborted`, async () => {
      let handlerStarted!: () => void
      const started = new Promise<void>((resolve) => { handlerStarted = resolve })
      let release!: () => void
      const released = new Promise<void>((resolve) => { release = resolve })
      const built = await buildApp('listen', (fastify) => {
        fastify.route({
          method: ['GET', 'POST'],
          url: '/hang',
          handler: async () => {
            handlerStarted()
            await released
            return { late: true }
          }
        })
        fastify.get('/ping', async () => 'pong')
      })
      app = built.app
      abandon(app, '/hang', 'gone-1', started, body)
      const aborted = await built.handler.waitFor((e) => e.request_id === 'gone-1' && e.duration_ms !== undefined, 'the aborted access event')
      assert.equal(aborted.aborted, true)
      assert.equal(aborted.status_code, 499)
      assert.equal(aborted.level, 'WARNING')
      assert.match(aborted.message, /^(GET|POST) \/hang aborted after /)
      // The handler finishes after the client left; a later request's access event, logged
      // after it, shows no second event for the abandoned one came in between.
      release()
      await send(app, 'listen', { url: '/ping', headers: { 'x-request-id': 'after-1' } })
      await built.handler.waitFor((e) => e.request_id === 'after-1' && e.duration_ms !== undefined, 'the next access event')
      assert.equal(built.handler.access().filter((e) => e.request_id === 'gone-1').length, 1)
    })
  }

  it('skips the access event of requests skip() selects, and still logs their errors', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.get('/health', async () => 'ok')
      fastify.get('/health/fail', async () => { throw new Error('unhealthy') })
    }, { plugin: { skip: (request) => request.url.startsWith('/health') } })
    app = built.app
    await send(app, 'inject', { url: '/health' })
    await send(app, 'inject', { url: '/health/fail' })
    assert.equal(built.handler.access().length, 0)
    assert.deepEqual(built.handler.events.map((e) => e.message), ['unhealthy'])
  })

  it('logs no access events with accessLog: false and no error events with logErrors: false', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.get('/fail', async () => { throw new Error('quiet') })
    }, { plugin: { accessLog: false, logErrors: false } })
    app = built.app
    await send(app, 'inject', { url: '/fail' })
    assert.equal(built.handler.events.length, 0)
  })

  it('chooses the access level with accessLevel', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.get('/quiet', async () => 'ok')
    }, { plugin: { accessLevel: () => 'debug' } })
    app = built.app
    await send(app, 'inject', { url: '/quiet' })
    assert.equal(built.handler.access()[0]?.level, 'DEBUG')
  })

  it('reads the user when each event is logged, after authentication ran', async () => {
    const built = await buildApp('inject', (fastify) => {
      fastify.decorateRequest('userName', undefined)
      fastify.addHook('preHandler', async (request) => {
        request.logstash.info('before auth');
        (request as unknown as { userName: string }).userName = 'ada'
      })
      fastify.get('/me', async (request) => { request.logstash.info('after auth'); return 'ok' })
    }, { plugin: { user: (request) => (request as unknown as { userName?: string }).userName } })
    app = built.app
    await send(app, 'inject', { url: '/me' })
    assert.equal(built.handler.withMessage('before auth')[0]?.req_user, undefined)
    assert.equal(built.handler.withMessage('after auth')[0]?.req_user, 'ada')
    assert.equal(built.handler.access()[0]?.req_user, 'ada')
  })

  it('applies only to the routes of the scope it was registered in', async () => {
    const handler = new RecordingHandler()
    app = Fastify()
    await app.register(async (scope) => {
      await scope.register(logstashPlugin, { handler })
      scope.get('/inside', async () => 'in')
    })
    app.get('/outside', async () => 'out')
    await app.ready()
    await app.inject('/inside')
    await app.inject('/outside')
    assert.deepEqual(handler.access().map((e) => e.req_route), ['/inside'])
    assert.equal(app.hasDecorator('logstash'), false)
  })

  it('refuses a second registration in the same scope or below', async () => {
    const handler = new RecordingHandler()
    app = Fastify()
    await app.register(logstashPlugin, { handler })
    await assert.rejects(async () => {
      await app!.register(async (scope) => { await scope.register(logstashPlugin, { handler }) })
    }, (err: Error) => err instanceof ConfigurationError && /already registered/.test(err.message))
  })
})
