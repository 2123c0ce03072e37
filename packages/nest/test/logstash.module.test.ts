import assert from 'node:assert/strict'
import 'reflect-metadata'
import { Module, type INestApplication } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import request from 'supertest'
import { ConfigurationError, LogstashHandler, defaultHandler } from '@logstash-async/core'
import { LogstashLogger, LogstashModule, type LogstashModuleOptions } from '@logstash-async/nest'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { waitFor } from '../../../test/helpers/wait'
import { rootModule } from './helpers/app'
import { accessEvents, errorEvents, extra, type LogstashEvent } from './helpers/events'
import { createApp, forEachPlatform, listen, PLATFORMS } from './helpers/platforms'

const CONFIG = Symbol('config')

/** A stand-in for @nestjs/config: options that exist only once a module's provider resolved. */
function configModule (values: Record<string, unknown>): new () => object {
  @Module({ providers: [{ provide: CONFIG, useFactory: async () => values }], exports: [CONFIG] })
  class ConfigModule {}
  return ConfigModule
}

describe('LogstashModule options', () => {
  it('throws a ConfigurationError naming a wrong adapter option', () => {
    assert.throws(() => LogstashModule.forRoot({ requestIdHeader: 'request id' }), (err: Error) =>
      err instanceof ConfigurationError && /requestIdHeader must be an HTTP header name, got "request id"/.test(err.message))
    assert.throws(() => LogstashModule.forRoot({ accessLog: 'yes' as unknown as boolean }), /accessLog must be true or false, got "yes"/)
    assert.throws(() => LogstashModule.forRoot({ handler: {} as LogstashHandler }), /handler must be an object with log\(\), flush\(\) and close\(\) methods \(a LogstashHandler\), got an object/)
  })

  it('throws a ConfigurationError naming a wrong handler option when the module is declared', () => {
    assert.throws(() => LogstashModule.forRoot({ port: 70000 }), (err: Error) => err instanceof ConfigurationError && /port/.test(err.message))
  })

  it('refuses a handler together with handler options', () => {
    const handler = new LogstashHandler({ enabled: false })
    assert.throws(() => LogstashModule.forRoot({ handler, host: 'logstash' }), /LogstashModule: handler cannot be combined with handler options, got handler and 'host'/)
    return handler.close()
  })

  it('refuses forRootAsync without a useFactory', () => {
    assert.throws(() => LogstashModule.forRootAsync({} as never), (err: Error) => err instanceof ConfigurationError && /useFactory/.test(err.message))
  })

  it('can be imported from an ES module', async () => {
    const esm = await import('@logstash-async/nest') as typeof import('@logstash-async/nest')
    assert.equal(typeof esm.LogstashModule.forRoot, 'function')
  })
})

describe('LogstashModule handlers', () => {
  let receiver: TcpReceiver
  let app: INestApplication | undefined
  const platform = PLATFORMS[0]!

  beforeEach(async () => { receiver = await TcpReceiver.start() })
  afterEach(async () => {
    await app?.close()
    app = undefined
    await receiver.close()
  })

  it('creates, owns and closes a handler from handler options', async () => {
    app = await createApp(rootModule(LogstashModule.forRoot({ host: receiver.host, port: receiver.port })), platform)
    const handler = app.get(LogstashHandler)
    assert.equal(handler.options.port, receiver.port)
    await app.close()
    app = undefined
    assert.equal(handler.closed, true)
  })

  it('uses a given handler and leaves it open', async () => {
    const handler = new LogstashHandler({ host: receiver.host, port: receiver.port })
    app = await createApp(rootModule(LogstashModule.forRoot({ handler })), platform)
    assert.equal(app.get(LogstashHandler), handler)
    await app.close()
    app = undefined
    assert.equal(handler.closed, false)
    await handler.close()
  })

  it('uses the process-wide default handler without options, and leaves it open', async () => {
    app = await createApp(rootModule(LogstashModule.forRoot()), platform)
    assert.equal(app.get(LogstashHandler), defaultHandler())
    await app.close()
    app = undefined
    assert.equal(defaultHandler().closed, false)
  })

  it('works in an application context without HTTP', async () => {
    const context = await NestFactory.createApplicationContext(LogstashModule.forRoot({ host: receiver.host, port: receiver.port }), { logger: false })
    context.get(LogstashLogger).log('from a worker', 'Worker')
    await context.close()
    const [event] = await receiver.waitForEvents(1) as LogstashEvent[]
    assert.equal(event!.message, 'from a worker')
    assert.equal(extra(event!).request_id, undefined)
  })

  it('rejects a factory\'s wrong options with a ConfigurationError', async () => {
    const logstash = LogstashModule.forRootAsync({ useFactory: () => ({ flushIntervalMs: -1 }) })
    await assert.rejects(createApp(rootModule(logstash), platform, { abortOnError: false }), (err: Error) =>
      err instanceof ConfigurationError && /flushIntervalMs/.test(err.message))
  })
})

forEachPlatform((platform) => {
  let receiver: TcpReceiver
  let app: INestApplication | undefined

  beforeEach(async () => { receiver = await TcpReceiver.start() })
  afterEach(async () => {
    await app?.close()
    app = undefined
    await receiver.close()
  })

  describe('LogstashModule.forRootAsync', () => {
    it('takes the options from a factory with injected configuration', async () => {
      const logstash = LogstashModule.forRootAsync({
        imports: [configModule({ logstashPort: receiver.port, requestIdHeader: 'X-Correlation-Id' })],
        inject: [CONFIG],
        useFactory: async (config: { logstashPort: number, requestIdHeader: string }) => ({
          host: receiver.host, port: config.logstashPort, flushIntervalMs: 10, requestIdHeader: config.requestIdHeader
        })
      })
      app = await createApp(rootModule(logstash), platform)
      const url = await listen(app)
      await request(url).get('/orders/missing').set('x-correlation-id', 'corr-1').expect(404)
      const events = receiver.events as LogstashEvent[]
      await waitFor(() => accessEvents(events).length === 1)
      assert.equal(extra(accessEvents(events)[0]!).request_id, 'corr-1')
      const handler = app.get(LogstashHandler)
      await app.close()
      app = undefined
      assert.equal(handler.closed, true, 'a handler made from the factory\'s options is the module\'s')
    })

    it('logs no access events with accessLog false, and still the errors', async () => {
      const logstash = LogstashModule.forRootAsync({ useFactory: () => ({ host: receiver.host, port: receiver.port, flushIntervalMs: 10, accessLog: false }) })
      app = await createApp(rootModule(logstash), platform)
      const url = await listen(app)
      await request(url).get('/orders/missing').expect(404)
      const events = receiver.events as LogstashEvent[]
      await waitFor(() => errorEvents(events).length === 1)
      await app.close()
      app = undefined
      assert.equal(accessEvents(events).length, 0)
    })
  })

  describe('LogstashModule access options', () => {
    /** Sends GET /orders/missing (a 404 with an error event) and returns what arrived once it is all in. */
    async function missingOrder (options: Omit<LogstashModuleOptions, 'handler'> = {}): Promise<{ access: LogstashEvent[], errors: LogstashEvent[] }> {
      app = await createApp(rootModule(LogstashModule.forRoot({ host: receiver.host, port: receiver.port, flushIntervalMs: 10, ...options })), platform)
      await request(await listen(app)).get('/orders/missing').expect(404)
      const events = receiver.events as LogstashEvent[]
      await waitFor(() => errorEvents(events).length === 1, { message: 'the error event' })
      // Logged after the error and its access event (if any): once it is in, they are too.
      app.get(LogstashHandler).log({ level: 'info', message: 'sentinel' })
      await waitFor(() => events.some((e) => e.message === 'sentinel'), { message: 'the sentinel' })
      return { access: accessEvents(events), errors: errorEvents(events) }
    }

    it('names the access and error events \'nest\' by default', async () => {
      const { access, errors } = await missingOrder()
      assert.deepEqual([...access, ...errors].map((e) => extra(e).logger_name), ['nest', 'nest'])
    })

    it('names the access and error events after loggerName', async () => {
      const { access, errors } = await missingOrder({ loggerName: 'shop' })
      assert.deepEqual([...access, ...errors].map((e) => extra(e).logger_name), ['shop', 'shop'])
    })

    it('takes the access event\'s level from accessLevel', async () => {
      const { access } = await missingOrder({ accessLevel: (status) => status === 404 ? 'debug' : 'info' })
      assert.equal(access[0]?.level, 'DEBUG')
    })

    it('logs no access event for a request skip() accepts, and still its error', async () => {
      const { access, errors } = await missingOrder({ skip: (req, res) => req.url === '/orders/missing' && res.statusCode === 404 })
      assert.equal(access.length, 0)
      assert.equal(errors.length, 1)
    })
  })
})
