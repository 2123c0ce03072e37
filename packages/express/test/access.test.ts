import assert from 'node:assert/strict'
import { request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { createLogger } from '@logstash-async/core'
import { logstashMiddleware, type LogstashMiddlewareOptions } from '@logstash-async/express'
import { closeServer, deferred, FRAMEWORKS, idOf, listen, Pipeline } from './helpers'

const isAccess = (e: { extra: Record<string, unknown> }): boolean => e.extra.duration_ms !== undefined

for (const { name, express, major } of FRAMEWORKS) {
  describe(`logstashMiddleware access events (${name})`, () => {
    let pipeline: Pipeline
    let server: Server | undefined

    beforeEach(async () => { pipeline = await Pipeline.start() })
    afterEach(async () => {
      await closeServer(server)
      server = undefined
      await pipeline.close()
    })

    function createApp (options: LogstashMiddlewareOptions = {}): ReturnType<typeof express> {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler, ...options }))
      return app
    }

    it('logs one access event with method, URL, route, status, duration and bytes', async () => {
      const app = createApp()
      app.use(express.json())
      app.post('/orders/:id', (_req, res) => { res.status(201).send('created') })
      const response = await request(app).post('/orders/42?x=1').send({ sku: 'A-1' })
      const event = await pipeline.access(idOf(response))
      assert.equal(event.level, 'INFO')
      assert.equal(event.extra.logger_name, 'express')
      assert.equal(event.extra.req_method, 'POST')
      assert.match(String(event.extra.req_uri), /^http:\/\/127\.0\.0\.1:\d+\/orders\/42\?x=1$/)
      assert.equal(event.extra.req_route, '/orders/:id')
      assert.equal(event.extra.status_code, 201)
      assert.equal(typeof event.extra.duration_ms, 'number')
      assert.ok((event.extra.duration_ms as number) >= 0)
      assert.equal(event.extra.response_bytes, 7)
      assert.equal(event.extra.request_bytes, JSON.stringify({ sku: 'A-1' }).length)
      assert.equal(event.extra.aborted, false)
      const all = await pipeline.settled()
      assert.equal(all.filter(isAccess).length, 1)
    })

    it('writes a message readable at a glance: method, URL, status, duration', async () => {
      const app = createApp()
      app.get('/orders/:id', (_req, res) => { res.send('ok') })
      const response = await request(app).get('/orders/42')
      const event = await pipeline.access(idOf(response))
      assert.match(event.message, /^GET \/orders\/42 200 \d+\.\dms$/)
    })

    it('logs 5xx at ERROR, 4xx at WARNING and the rest at INFO by default', async () => {
      const app = createApp()
      app.get('/status/:code', (req, res) => { res.status(Number(req.params.code)).end() })
      const levels: Record<string, string> = {}
      for (const code of [200, 302, 404, 503]) {
        const response = await request(app).get(`/status/${code}`)
        levels[code] = (await pipeline.access(idOf(response))).level
      }
      assert.deepEqual(levels, { 200: 'INFO', 302: 'INFO', 404: 'WARNING', 503: 'ERROR' })
    })

    it('takes the level from accessLevel when given', async () => {
      const app = createApp({ accessLevel: (status) => status === 404 ? 'debug' : 'info' })
      app.get('/missing', (_req, res) => { res.sendStatus(404) })
      const response = await request(app).get('/missing')
      assert.equal((await pipeline.access(idOf(response))).level, 'DEBUG')
    })

    it('logs an aborted request as aborted, with status 499, when the client goes away', async () => {
      const app = createApp()
      const inside = deferred()
      app.get('/hang', () => { inside.resolve() })
      ;({ server } = await listen(app))
      const client = httpRequest({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/hang' })
      client.on('error', () => {})
      client.end()
      await inside.promise
      client.destroy()
      const event = await pipeline.access()
      assert.equal(event.extra.aborted, true)
      assert.equal(event.extra.status_code, 499)
      assert.equal(event.level, 'WARNING')
      assert.match(event.message, /^GET \/hang aborted after \d+\.\dms$/)
    })

    it('logs no access event for a request skip() accepts, but still its other events', async () => {
      const app = createApp({ skip: (req) => req.path === '/health' })
      const log = createLogger({ handler: pipeline.handler })
      app.get('/health', (_req, res) => { log.info('health checked'); res.send('ok') })
      app.get('/orders', (_req, res) => { res.send('ok') })
      const health = await request(app).get('/health')
      const orders = await request(app).get('/orders')
      await pipeline.access(idOf(orders))
      const all = await pipeline.settled()
      assert.equal(all.filter(isAccess).length, 1)
      assert.equal((await pipeline.message('health checked')).extra.request_id, idOf(health))
    })

    it('logs no access event with accessLog: false', async () => {
      const app = createApp({ accessLog: false })
      const log = createLogger({ handler: pipeline.handler })
      app.get('/quiet', (_req, res) => {
        // Registered after the middleware's own 'finish' listener, so it runs after it.
        res.on('finish', () => log.info('finished'))
        res.send('ok')
      })
      await request(app).get('/quiet')
      await pipeline.message('finished')
      assert.equal((await pipeline.settled()).filter(isAccess).length, 0)
    })

    it('records the full route pattern of a route in a mounted router', async () => {
      const app = createApp()
      const router = express.Router()
      router.get('/:id', (_req, _res, next) => { next(new Error('no such order')) })
      app.use('/orders', router)
      // The error leaves the router (Express resets req.baseUrl) before the response ends.
      app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => { res.status(500).send('sorry') })
      const response = await request(app).get('/orders/42')
      const event = await pipeline.access(idOf(response))
      assert.equal(event.extra.req_route, '/orders/:id')
      assert.equal(event.extra.status_code, 500)
    })

    it(`names the Express serving the request in express_version (${major}.x)`, async () => {
      const app = createApp()
      app.get('/', (_req, res) => { res.send('ok') })
      const response = await request(app).get('/')
      const expected = (require(major === 5 ? 'express/package.json' : 'express4/package.json') as { version: string }).version
      assert.equal((await pipeline.access(idOf(response))).extra.express_version, expected)
      assert.ok(expected.startsWith(`${major}.`))
    })

    it('takes the client address, protocol and host from Express\'s trust proxy answers', async () => {
      const app = createApp()
      app.set('trust proxy', true)
      app.get('/p', (_req, res) => { res.send('ok') })
      const response = await request(app).get('/p?q=1')
        .set('X-Forwarded-For', '203.0.113.7, 10.0.0.2').set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'shop.example.com')
      const event = await pipeline.access(idOf(response))
      assert.equal(event.extra.req_remote_address, '203.0.113.7')
      assert.equal(event.extra.req_uri, 'https://shop.example.com/p?q=1')
      assert.equal(event.extra.req_host, 'shop.example.com')
      assert.deepEqual(event.extra.req_forwarded_for, ['203.0.113.7', '10.0.0.2'])
      assert.equal(event.extra.req_forwarded_proto, 'https')
    })

    it('logs the URL as sent when mounted under a path', async () => {
      const app = express()
      const router = express.Router()
      router.use(logstashMiddleware({ handler: pipeline.handler }))
      router.get('/items/:id', (_req, res) => { res.send('ok') })
      app.use('/api', router)
      const response = await request(app).get('/api/items/7')
      const event = await pipeline.access(idOf(response))
      assert.match(event.message, /^GET \/api\/items\/7 200 /)
      assert.equal(event.extra.req_route, '/api/items/:id')
    })

    it('never writes the Authorization or Cookie header into any event', async () => {
      const app = createApp()
      const log = createLogger({ handler: pipeline.handler })
      app.get('/secret', (_req, res) => { log.info('in route'); res.send('ok') })
      const response = await request(app).get('/secret').set('Authorization', 'Bearer s3cr3t-t0ken').set('Cookie', 'session=c00kie-value')
      await pipeline.access(idOf(response))
      await pipeline.message('in route')
      assert.ok(pipeline.receiver.lines.length >= 2)
      for (const line of pipeline.receiver.lines) {
        assert.ok(!line.includes('s3cr3t-t0ken') && !line.includes('c00kie-value'), line)
      }
    })
  })
}
