import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import express from 'express'
import expressWinston from 'express-winston'
import winston from 'winston'
import { logstashMiddleware } from '@logstash-async/express'
import { LogstashTransport } from '@logstash-async/winston'
import { itemStatus, sendConcurrentRequests } from '../../../test/helpers/concurrent-requests'
import { FORMATS, Pipeline, durationMs, userField } from '../../../test/helpers/pipeline'

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
        res.status(itemStatus(Number(req.params.n))).json({ n: req.params.n })
      })
      server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
      for (const { access, n } of await sendConcurrentRequests(server, pipeline, REQUESTS)) {
        assert.equal(access.message, `HTTP GET /items/${n}?q=${n}`)
        assert.ok((durationMs(access, format) ?? -1) >= 0)
        assert.equal(userField(access, format, 'meta'), undefined)
      }
    })
  })
}
