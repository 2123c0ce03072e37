import assert from 'node:assert/strict'
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
