import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { PassThrough } from 'node:stream'
import type { INestApplication } from '@nestjs/common'
import request from 'supertest'
import { LogstashModule } from '@logstash-async/nest'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { waitFor } from '../../../test/helpers/wait'
import { barrier, rootModule } from './helpers/app'
import { accessEvents, extra, withMessage, type LogstashEvent } from './helpers/events'
import { createApp, forEachPlatform, listen } from './helpers/platforms'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

forEachPlatform((platform) => {
  describe('request context', () => {
    let receiver: TcpReceiver
    let app: INestApplication
    let url: string

    beforeEach(async () => {
      receiver = await TcpReceiver.start()
      app = await createApp(rootModule(LogstashModule.forRoot({ host: receiver.host, port: receiver.port, flushIntervalMs: 10 })), platform)
      url = await listen(app)
      barrier.reset()
    })

    afterEach(async () => {
      barrier.release()
      await app.close()
      await receiver.close()
    })

    const events = (): LogstashEvent[] => receiver.events as LogstashEvent[]

    async function postOrder (): Promise<void> {
      await request(url).post('/orders/42').set('x-request-id', 'req-42').send({ item: 'book' }).expect(201)
      await waitFor(() => accessEvents(events()).length === 1, { timeoutMs: 5000, message: 'the access event' })
    }

    it('adds the request fields to events from a middleware, a guard, a pipe, an interceptor, a controller and an async service, after a JSON body', async () => {
      await postOrder()
      for (const message of ['from middleware', 'from guard', 'from interceptor', 'from pipe', 'from controller', 'from service', 'from interceptor, after']) {
        const [event, ...others] = withMessage(events(), message)
        assert.ok(event, `an event "${message}"`)
        assert.equal(others.length, 0, `one event "${message}"`)
        assert.equal(extra(event).request_id, 'req-42', message)
        assert.equal(extra(event).req_method, 'POST', message)
        assert.match(String(extra(event).req_uri), /\/orders\/42$/, message)
        assert.equal(typeof extra(event).nest_version, 'string', message)
      }
      assert.equal(extra(withMessage(events(), 'from controller')[0]!).item, 'book')
    })

    // Sends the headers, waits until the server handles the request, then sends the body:
    // the body arrives in a later packet, read in the socket's async context.
    async function postLate (contentType: string, body: string): Promise<number> {
      const server = app.getHttpServer() as Server
      let headersReceived = false
      server.once('request', () => { headersReceived = true })
      const req = httpRequest({
        host: '127.0.0.1',
        port: new URL(url).port,
        method: 'POST',
        path: '/orders/7',
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-request-id': 'req-late' }
      })
      const response = once(req, 'response')
      req.flushHeaders()
      await waitFor(() => headersReceived, { message: 'the request headers at the server' })
      req.end(body)
      const [res] = await response as [IncomingMessage]
      res.resume()
      await waitFor(() => accessEvents(events()).length === 1)
      return res.statusCode ?? 0
    }

    function assertLateRequestFields (): void {
      for (const message of ['from guard', 'from controller', 'from service']) {
        assert.equal(extra(withMessage(events(), message)[0]!).request_id, 'req-late', message)
      }
      assert.equal(extra(withMessage(events(), 'from controller')[0]!).item, 'late book')
    }

    it('keeps the context when the JSON body arrives after the headers', async () => {
      assert.equal(await postLate('application/json', JSON.stringify({ item: 'late book' })), 201)
      assertLateRequestFields()
    })

    it('enters the context again after a body parser that loses it', async () => {
      await app.close()
      app = await createApp(rootModule(LogstashModule.forRoot({ host: receiver.host, port: receiver.port, flushIntervalMs: 10 })), platform)
      const contentType = useContextLosingParser(app, platform.name)
      url = await listen(app)
      const body = contentType === 'application/json' ? JSON.stringify({ item: 'late book' }) : 'late book'
      assert.equal(await postLate(contentType, body), 201)
      assertLateRequestFields()
    })

    it('names the controller and handler from the first guard on', async () => {
      await postOrder()
      for (const message of ['from guard', 'from interceptor', 'from pipe', 'from controller', 'from service']) {
        const event = withMessage(events(), message)[0]!
        assert.equal(extra(event).controller, 'OrdersController', message)
        assert.equal(extra(event).handler, 'create', message)
        assert.equal(extra(event).req_route, '/orders/:id', message)
      }
      // Middleware runs before Nest knows the route.
      assert.equal(extra(withMessage(events(), 'from middleware')[0]!).controller, undefined)
    })

    it('uses the logger context as the logger name', async () => {
      await postOrder()
      assert.equal(extra(withMessage(events(), 'from service')[0]!).logger_name, 'OrdersService')
      assert.equal(extra(withMessage(events(), 'from middleware')[0]!).logger_name, 'TagMiddleware')
    })

    it('logs one access event per request, with status, duration and the request fields', async () => {
      await postOrder()
      const [access] = accessEvents(events())
      assert.equal(access!.level, 'INFO')
      assert.match(String(access!.message), /^POST \/orders\/42 201 \d+\.\dms$/)
      assert.equal(extra(access!).status_code, 201)
      assert.equal(extra(access!).request_id, 'req-42')
      assert.equal(extra(access!).controller, 'OrdersController')
      assert.equal(typeof extra(access!).duration_ms, 'number')
      assert.equal(extra(access!).request_bytes, Buffer.byteLength(JSON.stringify({ item: 'book' })))
    })

    it('logs an access event for a route that does not exist', async () => {
      await request(url).get('/nowhere').set('x-request-id', 'req-404').expect(404)
      await waitFor(() => accessEvents(events()).length === 1)
      const [access] = accessEvents(events())
      assert.equal(extra(access!).status_code, 404)
      assert.equal(extra(access!).request_id, 'req-404')
    })

    it('generates a request id when the header is missing or malformed', async () => {
      await request(url).get('/orders/missing').expect(404)
      await request(url).get('/orders/missing').set('x-request-id', 'two words').expect(404)
      await waitFor(() => accessEvents(events()).length === 2)
      const [first, second] = accessEvents(events()).map((event) => String(extra(event).request_id))
      assert.match(first!, UUID)
      assert.match(second!, UUID)
      assert.notEqual(first, second)
    })

    it('never mixes the fields of two concurrent requests', async () => {
      const a = request(url).get('/orders/wait/a').set('x-request-id', 'req-a').then((res) => res.status)
      const b = request(url).get('/orders/wait/b').set('x-request-id', 'req-b').then((res) => res.status)
      // Both requests are inside their handler at once before either may go on.
      await waitFor(() => barrier.arrived === 2, { timeoutMs: 5000, message: 'both requests at the barrier' })
      barrier.release()
      assert.deepEqual(await Promise.all([a, b]), [200, 200])
      await waitFor(() => accessEvents(events()).length === 2)
      const tagged = events().filter((event) => extra(event).orderId !== undefined)
      assert.equal(tagged.length, 6, 'before, service and after events of both requests')
      for (const event of tagged) {
        assert.equal(extra(event).request_id, `req-${String(extra(event).orderId)}`, String(event.message))
      }
    })
  })
})

// Express: a body parser, Fastify: a preParsing hook (as a decompressing one would be),
// that read the body with plain stream events and call on from the last one, in the
// socket's async context. Returns the content type to send.
function useContextLosingParser (app: INestApplication, platform: string): string {
  if (platform === 'express') {
    app.use((req: IncomingMessage & { body?: unknown }, _res: unknown, next: () => void) => {
      if (req.headers['content-type'] !== 'application/x-custom') return next()
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (chunk: string) => { body += chunk })
      req.on('end', () => { req.body = { item: body }; next() })
    })
    return 'application/x-custom'
  }
  const fastify = app.getHttpAdapter().getInstance() as {
    addHook (name: 'preParsing', hook: (req: unknown, reply: unknown, payload: IncomingMessage, done: (err: null, payload: NodeJS.ReadableStream) => void) => void): void
  }
  fastify.addHook('preParsing', (_req, _reply, payload, done) => {
    const buffered = new PassThrough()
    payload.on('data', (chunk: Buffer) => buffered.write(chunk))
    payload.on('end', () => { buffered.end(); done(null, buffered) })
  })
  return 'application/json'
}
