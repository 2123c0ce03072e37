import assert from 'node:assert/strict'
import request from 'supertest'
import express from 'express'
import { ConfigurationError, createLogger, defaultHandler, LogstashHandler } from '@logstash-async/core'
import { logstashErrorMiddleware, logstashMiddleware } from '@logstash-async/express'
import { waitFor } from '../../../test/helpers/wait'
import { CaptureSink, idOf, Pipeline } from './helpers'

describe('logstashMiddleware options', () => {
  describe('handler', () => {
    let pipeline: Pipeline | undefined
    afterEach(async () => {
      await pipeline?.close()
      pipeline = undefined
    })

    it('uses the process-wide default handler when called without options', async () => {
      pipeline = await Pipeline.start()
      const saved = { host: process.env.LOGSTASH_HOST, port: process.env.LOGSTASH_PORT }
      // A fresh default handler, created from the environment, pointed at the receiver.
      await defaultHandler().close()
      process.env.LOGSTASH_HOST = '127.0.0.1'
      process.env.LOGSTASH_PORT = String(pipeline.receiver.port)
      try {
        const middleware = logstashMiddleware()
        assert.equal(middleware.handler, defaultHandler())
        const app = express()
        app.use(middleware)
        app.get('/', (_req, res) => { res.send('ok') })
        const response = await request(app).get('/')
        await pipeline.access(idOf(response))
        await middleware.close()
        assert.equal(defaultHandler().closed, false, 'the default handler is not the middleware\'s to close')
      } finally {
        await defaultHandler().close()
        for (const [key, value] of [['LOGSTASH_HOST', saved.host], ['LOGSTASH_PORT', saved.port]] as const) {
          if (value === undefined) delete process.env[key]
          else process.env[key] = value
        }
      }
    })

    it('uses the handler it is given and leaves it open on close()', async () => {
      const handler = new LogstashHandler({ host: '127.0.0.1', port: 1, closeTimeoutMs: 0, onError: () => {} })
      const middleware = logstashMiddleware({ handler })
      assert.equal(middleware.handler, handler)
      await middleware.close()
      assert.equal(handler.closed, false)
      await handler.close()
    })

    it('creates a handler from handler options, and close() closes it', async () => {
      pipeline = await Pipeline.start()
      const middleware = logstashMiddleware({ host: '127.0.0.1', port: pipeline.receiver.port, flushIntervalMs: 5, loggerName: 'owned' })
      assert.ok(middleware.handler instanceof LogstashHandler)
      const app = express()
      app.use(middleware)
      app.get('/', (_req, res) => { res.send('ok') })
      const response = await request(app).get('/')
      const event = await pipeline.access(idOf(response))
      assert.equal(event.extra.logger_name, 'owned')
      await middleware.close()
      assert.equal((middleware.handler as LogstashHandler).closed, true)
    })
  })

  describe('validation', () => {
    it('refuses a handler combined with handler options, naming them', () => {
      const handler = new CaptureSink()
      assert.throws(() => logstashMiddleware({ handler, host: 'x', port: 1 }),
        (err: unknown) => err instanceof ConfigurationError && /^logstashMiddleware: handler cannot be combined with handler options, got handler and 'host', 'port'/.test(err.message))
    })

    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['loggerName', { loggerName: 5 }, /^loggerName must be a non-empty string, got 5$/],
      ['requestIdHeader', { requestIdHeader: 'bad header' }, /^requestIdHeader must be an HTTP header name, got "bad header"$/],
      ['echoRequestId', { echoRequestId: 'yes' }, /^echoRequestId must be true or false, got "yes"$/],
      ['accessLog', { accessLog: 1 }, /^accessLog must be true or false, got 1$/],
      ['skip', { skip: true }, /^skip must be a function, got true$/],
      ['user', { user: 'ada' }, /^user must be a function or false, got "ada"$/],
      ['accessLevel', { accessLevel: 'info' }, /^accessLevel must be a function, got "info"$/],
      ['generateRequestId', { generateRequestId: 1 }, /^generateRequestId must be a function, got 1$/],
      ['handler', { handler: {} }, /^handler must be an object with a log\(record\) method \(a LogstashHandler\), got an object \(Object\)$/],
      ['a handler option', { port: 'x' }, /port must be an integer 1-65535, got "x"/]
    ]
    for (const [option, options, message] of cases) {
      it(`throws a ConfigurationError naming ${option}, what it expects and what it got`, () => {
        assert.throws(() => logstashMiddleware(options), (err: unknown) => err instanceof ConfigurationError && message.test(err.message))
      })
    }

    it('refuses options that are not an object', () => {
      assert.throws(() => logstashMiddleware('verbose' as never), /logstashMiddleware options must be an object, got "verbose"/)
    })
  })

  describe('user', () => {
    it('reads Passport\'s req.user by default, asked at each event so a later login middleware counts', async () => {
      const pipeline = await Pipeline.start()
      try {
        const log = createLogger({ handler: pipeline.handler })
        const app = express()
        app.use(logstashMiddleware({ handler: pipeline.handler }))
        app.use((req, _res, next) => {
          log.info('before login')
          ;(req as { user?: unknown }).user = { username: 'ada', email: 'ada@example.com' }
          next()
        })
        app.get('/', (_req, res) => { log.info('after login'); res.send('ok') })
        const response = await request(app).get('/')
        assert.equal((await pipeline.message('before login')).extra.req_user, undefined)
        assert.equal((await pipeline.message('after login')).extra.req_user, 'ada')
        assert.equal((await pipeline.access(idOf(response))).extra.req_user, 'ada')
        assert.ok(!pipeline.receiver.lines.some((line) => line.includes('ada@example.com')))
      } finally {
        await pipeline.close()
      }
    })

    it('takes the user from the user option', async () => {
      const sink = new CaptureSink()
      const app = express()
      app.use(logstashMiddleware({ handler: sink, user: (req) => req.get('x-user') }))
      app.get('/', (req, res) => { req.log.info('hi'); res.send('ok') })
      await request(app).get('/').set('X-User', 'grace')
      assert.equal(sink.entries[0]?.user, 'grace')
    })

    it('logs no user with user: false', async () => {
      const sink = new CaptureSink()
      const app = express()
      app.use(logstashMiddleware({ handler: sink, user: false }))
      app.get('/', (req, res) => { (req as { user?: unknown }).user = 'ada'; req.log.info('hi'); res.send('ok') })
      await request(app).get('/')
      assert.equal(sink.entries[0]?.user, undefined)
    })

    it('logs the event without a user when user() throws', async () => {
      const sink = new CaptureSink()
      const app = express()
      app.use(logstashMiddleware({ handler: sink, user: () => { throw new Error('no session store') } }))
      app.get('/', (req, res) => { req.log.info('hi'); res.send('ok') })
      const response = await request(app).get('/')
      assert.equal(response.status, 200)
      assert.equal(sink.records[0]?.message, 'hi')
      assert.equal(sink.entries[0]?.user, undefined)
    })
  })

  describe('loggerName and mounting', () => {
    it('names the access event, the error event and req.log after the loggerName option', async () => {
      const sink = new CaptureSink()
      const app = express()
      app.set('env', 'test')
      app.use(logstashMiddleware({ handler: sink, loggerName: 'shop' }))
      app.get('/', (req) => { req.log.info('in route'); throw new Error('boom') })
      app.use(logstashErrorMiddleware())
      await request(app).get('/')
      await waitForRecords(sink, 3)
      assert.deepEqual(sink.records.map((r) => [r.message.replace(/\d+\.\dms$/, 'Tms'), r.logger]),
        [['in route', 'shop'], ['boom', 'shop'], ['GET / 500 Tms', 'shop']])
    })

    it('logs one access event when mounted on both the app and a router', async () => {
      const sink = new CaptureSink()
      const middleware = logstashMiddleware({ handler: sink })
      const app = express()
      const router = express.Router()
      router.use(middleware)
      router.get('/x', (_req, res) => {
        res.on('finish', () => sink.log({ level: 'info', message: 'finished' }))
        res.send('ok')
      })
      app.use(middleware)
      app.use('/r', router)
      await request(app).get('/r/x')
      await waitForRecords(sink, 2)
      assert.deepEqual(sink.records.map((r) => r.access === undefined ? r.message : 'access'), ['access', 'finished'])
    })
  })

  it('never costs a request when logging fails', async () => {
    const app = express()
    app.use(logstashMiddleware({ handler: { log () { throw new Error('sink broke') } }, skip: () => { throw new Error('skip broke') } }))
    app.get('/', (req, res) => { req.log.info('hi'); res.send('ok') })
    const response = await request(app).get('/')
    assert.equal(response.status, 200)
    assert.equal(response.text, 'ok')
  })

  it('can be imported from an ES module', async () => {
    const esm = await import('@logstash-async/express') as Record<string, unknown>
    assert.equal(typeof esm.logstashMiddleware, 'function')
    assert.equal(typeof esm.logstashErrorMiddleware, 'function')
  })
})

async function waitForRecords (sink: CaptureSink, count: number): Promise<void> {
  await waitFor(() => sink.records.length >= count, { timeoutMs: 5000, message: () => `${count} records (got ${sink.records.length})` })
}
