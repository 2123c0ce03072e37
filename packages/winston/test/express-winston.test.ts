import assert from 'node:assert/strict'
import type { AddressInfo, Server } from 'node:net'
import express from 'express'
import expressWinston from 'express-winston'
import winston from 'winston'
import request from 'supertest'
import { logstashMiddleware } from '@logstash-async/express'
import { LogstashTransport } from '@logstash-async/winston'
import { FORMATS, Pipeline, REQUEST_FIELDS, durationMs, field, levelName, levelOf, userField } from '../../../test/helpers/pipeline'

const REQUESTS = 200

for (const format of FORMATS) {
  describe(`express-winston with LogstashTransport (${format})`, () => {
    let pipeline: Pipeline
    let server: Server | undefined

    beforeEach(async () => { pipeline = await Pipeline.start(format) })
    afterEach(async () => {
      if (server !== undefined) await new Promise<void>((resolve) => server!.close(() => resolve()))
      server = undefined
      await pipeline.close()
    })

    it(`gives each of ${REQUESTS} concurrent requests' events its own request id and fields`, async () => {
      const logger = winston.createLogger({ transports: [new LogstashTransport({ handler: pipeline.handler })] })
      const app = express()
      // Our middleware gives the ids and the context; express-winston writes the access line.
      app.use(logstashMiddleware({ handler: pipeline.handler, accessLog: false }))
      app.use(expressWinston.logger({ winstonInstance: logger }))
      app.get('/items/:n', async (req, res) => {
        await new Promise((resolve) => setTimeout(resolve, Number(req.params.n) % 7))
        logger.info('item looked up', { item: Number(req.params.n) })
        res.status(Number(req.params.n) % 10 === 0 ? 404 : 200).json({ n: req.params.n })
      })
      server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
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
        assert.equal(access.message, `HTTP GET /items/${n}?q=${n}`)
        assert.equal(field(access, format, REQUEST_FIELDS.status), status)
        assert.equal(levelOf(access, format), levelName(status === 404 ? 'warn' : 'info', format))
        assert.ok((durationMs(access, format) ?? -1) >= 0)
        assert.equal(userField(access, format, 'meta'), undefined)
      }
    })
  })
}
