import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import multer from 'multer'
import request from 'supertest'
import { createLogger, requestContext, type Logger } from '@logstash-async/core'
import { logstashMiddleware } from '@logstash-async/express'
import { closeServer, deferred, FRAMEWORKS, idOf, listen, Pipeline, type LogstashEvent } from './helpers'

for (const { name, express } of FRAMEWORKS) {
  describe(`logstashMiddleware request context (${name})`, () => {
    let pipeline: Pipeline
    let log: Logger
    let server: Server | undefined

    beforeEach(async () => {
      pipeline = await Pipeline.start()
      // Not req.log: a plain logger sees the request only through the async context.
      log = createLogger({ handler: pipeline.handler, name: 'app' })
    })

    afterEach(async () => {
      await closeServer(server)
      server = undefined
      await pipeline.close()
    })

    function createApp (): ReturnType<typeof express> {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler }))
      return app
    }

    function assertRequestFields (event: LogstashEvent, requestId: string, method: string, path: string): void {
      assert.equal(event.extra.request_id, requestId)
      assert.equal(event.extra.req_method, method)
      assert.match(String(event.extra.req_uri), new RegExp(`^http://127\\.0\\.0\\.1:\\d+${path.replace(/[?]/g, '\\?')}$`))
      assert.equal(event.extra.req_remote_address, '127.0.0.1')
    }

    it('adds the request fields to an event logged in a later middleware', async () => {
      const app = createApp()
      app.use((_req, _res, next) => { log.info('in middleware'); next() })
      app.get('/orders', (_req, res) => { res.send('ok') })
      const response = await request(app).get('/orders?page=2')
      assertRequestFields(await pipeline.message('in middleware'), idOf(response), 'GET', '/orders?page=2')
    })

    it('adds the request fields and the route pattern to an event logged in the route', async () => {
      const app = createApp()
      app.get('/orders/:id', (_req, res) => { log.info('in route'); res.send('ok') })
      const response = await request(app).get('/orders/42')
      const event = await pipeline.message('in route')
      assertRequestFields(event, idOf(response), 'GET', '/orders/42')
      assert.equal(event.extra.req_route, '/orders/:id')
    })

    it('keeps the request fields after an await in an async route', async () => {
      const app = createApp()
      app.get('/slow', async (_req, res, next) => {
        try {
          await new Promise((resolve) => setImmediate(resolve))
          await Promise.resolve()
          log.info('after await')
          res.send('ok')
        } catch (err) { next(err) }
      })
      const response = await request(app).get('/slow')
      assertRequestFields(await pipeline.message('after await'), idOf(response), 'GET', '/slow')
    })

    it('keeps the request fields after express.json() parsed a body', async () => {
      const app = createApp()
      app.use(express.json())
      app.post('/orders', (req, res) => { log.info('json parsed', { sku: req.body.sku }); res.status(201).json({ ok: true }) })
      const response = await request(app).post('/orders').send({ sku: 'A-1' })
      const event = await pipeline.message('json parsed')
      assertRequestFields(event, idOf(response), 'POST', '/orders')
      assert.equal(event.extra.sku, 'A-1')
    })

    it('keeps the request fields after express.urlencoded() parsed a form', async () => {
      const app = createApp()
      app.use(express.urlencoded({ extended: false }))
      app.post('/login', (req, res) => { log.info('form parsed', { who: req.body.who }); res.send('ok') })
      const response = await request(app).post('/login').type('form').send('who=ada')
      const event = await pipeline.message('form parsed')
      assertRequestFields(event, idOf(response), 'POST', '/login')
      assert.equal(event.extra.who, 'ada')
    })

    it('keeps the request fields after multer parsed a multipart upload', async () => {
      const app = createApp()
      app.post('/upload', multer({ storage: multer.memoryStorage() }).single('file'), (req, res) => {
        log.info('upload parsed', { size: req.file?.size })
        res.send('ok')
      })
      const response = await request(app).post('/upload').field('note', 'x').attach('file', Buffer.from('hello'), 'hello.txt')
      const event = await pipeline.message('upload parsed')
      assertRequestFields(event, idOf(response), 'POST', '/upload')
      assert.equal(event.extra.size, 5)
    })

    it('keeps the request fields after a stream parser that calls next() from req.on("end")', async () => {
      const app = createApp()
      const waiting = deferred()
      // The body arrives only once the parser listens, so 'data' and 'end' come from the
      // connection, not from a tick scheduled inside the request.
      app.post('/raw', (req: Request, _res: Response, next: NextFunction) => {
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => { req.body = Buffer.concat(chunks).toString(); next() })
        waiting.resolve()
      }, (req, res) => { log.info('raw parsed', { body: req.body }); res.send('ok') })
      ;({ server } = await listen(app))
      const { port } = server.address() as { port: number }
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const client = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/raw', headers: { 'content-type': 'text/plain' } }, resolve)
        client.on('error', reject)
        client.flushHeaders()
        void waiting.promise.then(() => client.end('hello'))
      })
      response.resume()
      const event = await pipeline.message('raw parsed')
      assertRequestFields(event, String(idOf(response)), 'POST', '/raw')
      assert.equal(event.extra.body, 'hello')
    })

    it('keeps the request fields inside a setTimeout started by the route', async () => {
      const app = createApp()
      app.get('/later', (_req, res) => {
        setTimeout(() => log.info('timer fired'), 1)
        res.send('ok')
      })
      const response = await request(app).get('/later')
      assertRequestFields(await pipeline.message('timer fired'), idOf(response), 'GET', '/later')
    })

    it('keeps the fields added with requestContext.assign() on later events of the request', async () => {
      const app = createApp()
      app.use((_req, _res, next) => { requestContext.assign({ tenant: 'acme' }); next() })
      app.use(express.json())
      app.post('/t', (_req, res) => { log.info('assigned'); res.send('ok') })
      await request(app).post('/t').send({ a: 1 })
      assert.equal((await pipeline.message('assigned')).extra.tenant, 'acme')
    })

    it('never lets two concurrent requests see each other\'s fields', async () => {
      const app = createApp()
      let arrived = 0
      const bothInside = deferred()
      app.get('/work/:name', async (req, res) => {
        const who = String(req.params.name)
        requestContext.assign({ who })
        log.info(`start ${who}`)
        // Neither request goes on until both are inside the route: their steps interleave.
        if (++arrived === 2) bothInside.resolve()
        await bothInside.promise
        log.info(`resumed ${who}`)
        setImmediate(() => { log.info(`finished ${who}`); res.send(who) })
      })
      ;({ server } = await listen(app))
      const [a, b] = await Promise.all([request(server).get('/work/a'), request(server).get('/work/b')])
      assert.notEqual(idOf(a), idOf(b))
      for (const [who, response] of [['a', a], ['b', b]] as const) {
        for (const step of ['start', 'resumed', 'finished']) {
          const event = await pipeline.message(`${step} ${who}`)
          assert.equal(event.extra.who, who, `${step} ${who}`)
          assertRequestFields(event, idOf(response), 'GET', `/work/${who}`)
        }
      }
    })

    it('gives req.log the request fields even from a callback that lost the async context', async () => {
      const app = createApp()
      const bus = new EventEmitter()
      const listening = deferred()
      app.get('/wait', (req, res) => {
        bus.once('ping', () => {
          req.log.info('req.log in callback')
          log.info('plain log in callback')
          res.send('ok')
        })
        listening.resolve()
      })
      ;({ server } = await listen(app))
      const response = request(server).get('/wait').then((r) => r)
      // Fired from the test's own context, outside any request, once the route listens.
      await listening.promise
      bus.emit('ping')
      const result = await response
      const bound = await pipeline.message('req.log in callback')
      assertRequestFields(bound, idOf(result), 'GET', '/wait')
      assert.equal(bound.extra.logger_name, 'express')
      // The emitter fired outside the request: only req.log knows which request it was.
      assert.equal((await pipeline.message('plain log in callback')).extra.request_id, undefined)
    })
  })
}
