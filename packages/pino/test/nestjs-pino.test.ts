import 'reflect-metadata'
import assert from 'node:assert/strict'
import { Controller, Get, Module, NotFoundException, Param, type INestApplication } from '@nestjs/common'
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino'
import request from 'supertest'
import { logstashDestination } from '@logstash-async/pino'
import { PLATFORMS, createApp, listen } from '../../nest/test/helpers/platforms'
import { waitFor } from '../../../test/helpers/wait'
import { Pipeline, REQUEST_FIELDS, field, levelName, levelOf, userField } from '../../../test/helpers/pipeline'

@Controller('orders')
class OrdersController {
  constructor (private readonly logger: PinoLogger) {
    this.logger.setContext(OrdersController.name)
  }

  @Get(':id')
  async find (@Param('id') id: string): Promise<{ id: string }> {
    await Promise.resolve()
    this.logger.info({ orderId: Number(id) }, 'order looked up')
    if (id === '404') throw new NotFoundException('no such order')
    return { id }
  }
}

function appModule (pipeline: Pipeline): new () => unknown {
  @Module({
    imports: [LoggerModule.forRoot({
      pinoHttp: {
        name: 'shop',
        stream: logstashDestination(pipeline.handler),
        genReqId: (req) => String(req.headers['x-request-id'] ?? 'none')
      }
    })],
    controllers: [OrdersController]
  })
  class AppModule {}
  return AppModule
}

// Express only: on Nest 12's Fastify platform nestjs-pino 5.2's pino-http middleware does not
// run (its lines arrive without `req`, and no response line is written), with any destination.
describe('nestjs-pino with logstashDestination', () => {
  for (const platform of PLATFORMS.filter((p) => p.name === 'express')) {
    let pipeline: Pipeline
    let app: INestApplication | undefined

    beforeEach(async () => { pipeline = await Pipeline.start('logstash') })
    afterEach(async () => {
      await app?.close()
      app = undefined
      await pipeline.close()
    })

    it('ships the request\'s own lines and its access line with the request\'s fields', async () => {
      app = await createApp(appModule(pipeline), platform, { bufferLogs: true })
      app.useLogger(app.get(Logger))
      const url = await listen(app)
      await Promise.all([
        request(url).get('/orders/7').set('x-request-id', 'nest-7').expect(200),
        request(url).get('/orders/404').set('x-request-id', 'nest-404').expect(404)
      ])
      await pipeline.handler.flush()
      const of = (id: string): Record<string, unknown>[] => pipeline.receiver.events.filter((e) => field(e, 'logstash', REQUEST_FIELDS.id) === id)
      await waitFor(() => of('nest-7').length + of('nest-404').length >= 4, { message: () => JSON.stringify(pipeline.receiver.events.map((e) => e.message)) })
      for (const [id, status] of [['nest-7', 200], ['nest-404', 404]] as const) {
        const mine = of(id)
        assert.equal(mine.length, 2, `${id}: ${JSON.stringify(mine.map((e) => e.message))}`)
        const [line, access] = mine as [Record<string, unknown>, Record<string, unknown>]
        assert.equal(line.message, 'order looked up')
        assert.equal(userField(line, 'logstash', 'context'), 'OrdersController')
        assert.equal(userField(line, 'logstash', 'orderId'), Number(id.slice(5)))
        assert.equal(field(line, 'logstash', REQUEST_FIELDS.logger), 'shop')
        assert.match(String(access.message), new RegExp(`^GET /orders/${id.slice(5)} ${status} [\\d.]+ms$`))
        assert.equal(field(access, 'logstash', REQUEST_FIELDS.status), status)
        assert.equal(levelOf(access, 'logstash'), levelName(status === 404 ? 'warn' : 'info', 'logstash'))
        for (const event of mine) assert.equal(field(event, 'logstash', REQUEST_FIELDS.method), 'GET')
      }
    })
  }
})
