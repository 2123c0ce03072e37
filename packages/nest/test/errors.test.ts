import assert from 'node:assert/strict'
import type { DynamicModule, INestApplication } from '@nestjs/common'
import { APP_FILTER } from '@nestjs/core'
import request from 'supertest'
import { LogstashHandler } from '@logstash-async/core'
import { LogstashLogger, LogstashModule } from '@logstash-async/nest'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { waitFor } from '../../../test/helpers/wait'
import { GoneFilter, rootModule } from './helpers/app'
import { accessEvents, errorEvents, extra, type LogstashEvent } from './helpers/events'
import { createApp, forEachPlatform, listen } from './helpers/platforms'

forEachPlatform((platform) => {
  describe('error events', () => {
    let receiver: TcpReceiver
    let handler: LogstashHandler
    let app: INestApplication | undefined
    let url: string

    beforeEach(async () => {
      receiver = await TcpReceiver.start()
      handler = new LogstashHandler({ host: receiver.host, port: receiver.port, flushIntervalMs: 10 })
    })

    afterEach(async () => {
      await app?.close()
      app = undefined
      await handler.close()
      await receiver.close()
    })

    async function start (logstash: DynamicModule = LogstashModule.forRoot({ handler }), more: Parameters<typeof rootModule>[1] = {}, useLogger = false): Promise<void> {
      app = await createApp(rootModule(logstash, more), platform)
      if (useLogger) app.useLogger(app.get(LogstashLogger))
      url = await listen(app)
    }

    /** The events of `requests` requests, once each has its access event. */
    async function eventsOf (requests: number): Promise<LogstashEvent[]> {
      const events = receiver.events as LogstashEvent[]
      await waitFor(() => accessEvents(events).length === requests, { message: `${requests} access events` })
      await handler.flush()
      return events
    }

    it('logs an HttpException once, with its status and message', async () => {
      await start()
      await request(url).get('/orders/missing').set('x-request-id', 'req-404').expect(404)
      const events = await eventsOf(1)
      const [error, ...more] = errorEvents(events)
      assert.equal(more.length, 0)
      assert.equal(error!.message, 'no such order')
      assert.equal(error!.level, 'WARNING')
      assert.equal(extra(error!).error_type, 'NotFoundException')
      assert.equal(extra(error!).status_code, 404)
      assert.equal(extra(error!).request_id, 'req-404')
      assert.equal(extra(error!).handler, 'missing')
      assert.equal(extra(accessEvents(events)[0]!).status_code, 404)
    })

    it('logs an unknown error once, as a 500 with its own type, message and stack', async () => {
      await start()
      const res = await request(url).get('/orders/crash').expect(500)
      assert.equal(res.body.message, 'Internal server error')
      const [error, ...more] = errorEvents(await eventsOf(1))
      assert.equal(more.length, 0)
      assert.equal(error!.message, 'wheels came off')
      assert.equal(error!.level, 'ERROR')
      assert.equal(extra(error!).error_type, 'TypeError')
      assert.equal(extra(error!).status_code, 500)
      assert.match(String(extra(error!).stack_trace), /^TypeError: wheels came off\n\s+at /)
    })

    it('logs a guard returning false once, as a 403 ForbiddenException', async () => {
      await start()
      await request(url).get('/orders/denied').expect(403)
      const [error, ...more] = errorEvents(await eventsOf(1))
      assert.equal(more.length, 0)
      assert.equal(extra(error!).error_type, 'ForbiddenException')
      assert.equal(error!.message, 'Forbidden resource')
      assert.equal(extra(error!).status_code, 403)
      assert.equal(extra(error!).controller, 'OrdersController')
      assert.equal(extra(error!).handler, 'denied')
    })

    it('logs the exception a guard throws once, with its status', async () => {
      await start()
      await request(url).get('/orders/unauthorized').expect(401)
      const [error, ...more] = errorEvents(await eventsOf(1))
      assert.equal(more.length, 0)
      assert.equal(extra(error!).error_type, 'UnauthorizedException')
      assert.equal(error!.message, 'who are you?')
      assert.equal(extra(error!).status_code, 401)
    })

    it('logs an error once when Nest logs it too through the LogstashLogger', async () => {
      await start(LogstashModule.forRoot({ handler }), {}, true)
      await request(url).get('/orders/crash').expect(500)
      const events = await eventsOf(1)
      assert.equal(errorEvents(events).length, 1)
      assert.equal(events.filter((event) => event.message === 'wheels came off').length, 1)
    })

    it('logs each request once when the module is imported by two modules', async () => {
      const feature = LogstashModule.forRoot({ handler, requestIdHeader: 'x-request-id' })
      await start(LogstashModule.forRoot({ handler }), { imports: [feature] })
      await request(url).get('/orders/crash').expect(500)
      const events = await eventsOf(1)
      await handler.flush()
      assert.equal(errorEvents(events).length, 1)
      assert.equal(accessEvents(events).length, 1)
    })

    it('leaves the response to an application\'s global filter and logs the status it chose', async () => {
      await start(undefined, { providers: [{ provide: APP_FILTER, useClass: GoneFilter }] })
      const gone = await request(url).get('/orders/missing').expect(410)
      assert.deepEqual(gone.body, { gone: true })
      // Exceptions the application's filter does not catch get Nest's usual answer.
      await request(url).get('/orders/crash').expect(500)
      const errors = errorEvents(await eventsOf(2))
      assert.deepEqual(errors.map((event) => [extra(event).error_type, extra(event).status_code]).sort(), [['NotFoundException', 410], ['TypeError', 500]])
    })

    it('logs an error that a route\'s own filter answers, with the status it chose', async () => {
      await start()
      const res = await request(url).get('/orders/teapot').expect(418)
      assert.deepEqual(res.body, { teapot: true })
      const [error, ...more] = errorEvents(await eventsOf(1))
      assert.equal(more.length, 0)
      assert.equal(extra(error!).error_type, 'RangeError')
      assert.equal(extra(error!).status_code, 418)
    })
  })
})
