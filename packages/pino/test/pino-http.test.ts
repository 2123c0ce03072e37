import assert from 'node:assert/strict'
import type { AddressInfo, Server } from 'node:net'
import express from 'express'
import pinoHttp from 'pino-http'
import request from 'supertest'
import { logstashMiddleware } from '@logstash-async/express'
import { logstashDestination } from '@logstash-async/pino'
import { FORMATS, Pipeline, REQUEST_FIELDS, durationMs, field, levelName, levelOf, userField } from '../../../test/helpers/pipeline'

const REQUESTS = 200

function listen (app: express.Express): Promise<Server> {
  return new Promise((resolve) => { const server = app.listen(0, '127.0.0.1', () => resolve(server)) })
}

for (const format of FORMATS) {
  describe(`pino-http with logstashDestination (${format})`, () => {
    let pipeline: Pipeline
    let server: Server | undefined

    beforeEach(async () => { pipeline = await Pipeline.start(format) })
    afterEach(async () => {
      if (server !== undefined) await new Promise<void>((resolve) => server!.close(() => resolve()))
      server = undefined
      await pipeline.close()
    })

    it(`gives each of ${REQUESTS} concurrent requests' events its own request id and fields`, async () => {
      const app = express()
      app.use(pinoHttp({ stream: logstashDestination(pipeline.handler), genReqId: (req) => String(req.headers['x-request-id']) }))
      app.get('/items/:n', async (req, res) => {
        await new Promise((resolve) => setTimeout(resolve, Number(req.params.n) % 7))
        req.log.info({ item: Number(req.params.n) }, 'item looked up')
        res.status(Number(req.params.n) % 10 === 0 ? 404 : 200).json({ n: req.params.n })
      })
      server = await listen(app)
      const port = (server.address() as AddressInfo).port
      await Promise.all(Array.from({ length: REQUESTS }, (_, n) =>
        request(`http://127.0.0.1:${port}`).get(`/items/${n}?q=${n}`).set('x-request-id', `req-${n}`).set('user-agent', `agent-${n}`).expect(n % 10 === 0 ? 404 : 200)))
      const events = await pipeline.events(2 * REQUESTS, 20_000)
      assert.equal(events.length, 2 * REQUESTS)
      for (let n = 0; n < REQUESTS; n++) {
        const mine = events.filter((e) => field(e, format, REQUEST_FIELDS.id) === `req-${n}`)
        assert.equal(mine.length, 2, `request ${n}: ${mine.length} events`)
        for (const event of mine) {
          assert.equal(field(event, format, REQUEST_FIELDS.method), 'GET')
          assert.equal(field(event, format, REQUEST_FIELDS.path), format === 'ecs' ? `/items/${n}` : `http://127.0.0.1:${port}/items/${n}?q=${n}`)
          assert.equal(field(event, format, REQUEST_FIELDS.userAgent), `agent-${n}`)
        }
        const [line, access] = mine as [Record<string, unknown>, Record<string, unknown>]
        assert.equal(line.message, 'item looked up')
        assert.equal(userField(line, format, 'item'), format === 'ecs' ? String(n) : n)
        const status = n % 10 === 0 ? 404 : 200
        assert.equal(access.message, `GET /items/${n}?q=${n} ${status} ${durationMs(access, format)?.toFixed(1)}ms`)
        assert.equal(field(access, format, REQUEST_FIELDS.status), status)
        assert.equal(levelOf(access, format), levelName(status === 404 ? 'warn' : 'info', format))
        assert.ok(field(access, format, REQUEST_FIELDS.responseBytes) as number > 0)
      }
    })

    it('inside logstashMiddleware, gives pino-http\'s lines the middleware\'s request context', async () => {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler, accessLog: false }))
      app.use(pinoHttp({ stream: logstashDestination(pipeline.handler), genReqId: (req) => (req as express.Request).requestId }))
      app.get('/orders/:id', (req, res) => {
        req.log.info('order read')
        res.send('ok')
      })
      server = await listen(app)
      await request(server).get('/orders/7').set('x-request-id', 'mw-1').expect(200)
      const events = await pipeline.events(2)
      for (const event of events) {
        assert.equal(field(event, format, REQUEST_FIELDS.id), 'mw-1')
        assert.equal(field(event, format, REQUEST_FIELDS.method), 'GET')
        // The route and framework are what only the middleware knows.
        if (format === 'logstash') assert.equal(field(event, format, { logstash: 'req_route', ecs: '' }), '/orders/:id')
        if (format === 'logstash') assert.match(String(field(event, format, { logstash: 'express_version', ecs: '' })), /^\d+\./)
      }
      assert.deepEqual(events.map((e) => String(e.message).replace(/ [\d.]+ms$/, '')), ['order read', 'GET /orders/7 200'])
    })
  })
}
