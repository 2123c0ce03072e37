import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import express from 'express'
import pinoHttp from 'pino-http'
import request from 'supertest'
import { logstashMiddleware } from '@logstash-async/express'
import { logstashDestination } from '@logstash-async/pino'
import { itemStatus, sendConcurrentRequests } from '../../../test/helpers/concurrent-requests'
import { FORMATS, Pipeline, REQUEST_FIELDS, durationMs, field } from '../../../test/helpers/pipeline'

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
        res.status(itemStatus(Number(req.params.n))).json({ n: req.params.n })
      })
      server = await listen(app)
      for (const { access, n } of await sendConcurrentRequests(server, pipeline, REQUESTS)) {
        assert.equal(access.message, `GET /items/${n}?q=${n} ${itemStatus(n)} ${durationMs(access, format)?.toFixed(1)}ms`)
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
