import assert from 'node:assert/strict'
import request from 'supertest'
import { logstashMiddleware, type LogstashMiddlewareOptions } from '@logstash-async/express'
import { CaptureSink, FRAMEWORKS } from './helpers'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

for (const { name, express } of FRAMEWORKS) {
  describe(`logstashMiddleware request id (${name})`, () => {
    /** An app whose route answers with the id the middleware gave the request. */
    function createApp (options: LogstashMiddlewareOptions = {}): { app: ReturnType<typeof express>, sink: CaptureSink } {
      const sink = new CaptureSink()
      const app = express()
      app.use(logstashMiddleware({ handler: sink, ...options }))
      app.get('/', (req, res) => { req.log.info('hello'); res.send(req.requestId) })
      return { app, sink }
    }

    it('reuses a well-formed incoming x-request-id and echoes it', async () => {
      const { app, sink } = createApp()
      const response = await request(app).get('/').set('X-Request-Id', 'req-123_abc')
      assert.equal(response.headers['x-request-id'], 'req-123_abc')
      assert.equal(response.text, 'req-123_abc')
      assert.equal(sink.entries[0]?.context?.id, 'req-123_abc')
    })

    it('generates a UUID when the request brings none, and echoes it', async () => {
      const { app, sink } = createApp()
      const response = await request(app).get('/')
      assert.match(String(response.headers['x-request-id']), UUID)
      assert.equal(sink.entries[0]?.context?.id, response.headers['x-request-id'])
    })

    for (const [what, value] of [['spaces and quotes', 'a "b" c'], ['more than 200 characters', 'x'.repeat(201)]] as const) {
      it(`replaces a malformed incoming id (${what}) with a new one`, async () => {
        const { app } = createApp()
        const response = await request(app).get('/').set('X-Request-Id', value)
        assert.match(String(response.headers['x-request-id']), UUID)
      })
    }

    it('reads and echoes the header named by requestIdHeader', async () => {
      const { app } = createApp({ requestIdHeader: 'X-Correlation-Id' })
      const response = await request(app).get('/').set('X-Correlation-Id', 'corr-1').set('X-Request-Id', 'ignored')
      assert.equal(response.headers['x-correlation-id'], 'corr-1')
      assert.equal(response.headers['x-request-id'], undefined)
      assert.equal(response.text, 'corr-1')
    })

    it('echoes no header with echoRequestId: false, yet uses the id', async () => {
      const { app, sink } = createApp({ echoRequestId: false })
      const response = await request(app).get('/').set('X-Request-Id', 'quiet-1')
      assert.equal(response.headers['x-request-id'], undefined)
      assert.equal(sink.entries[0]?.context?.id, 'quiet-1')
    })

    it('makes new ids with generateRequestId when given', async () => {
      let n = 0
      const { app } = createApp({ generateRequestId: () => `gen-${++n}` })
      assert.equal((await request(app).get('/')).headers['x-request-id'], 'gen-1')
      assert.equal((await request(app).get('/').set('X-Request-Id', 'kept')).headers['x-request-id'], 'kept')
    })

    it('falls back to a UUID when generateRequestId throws', async () => {
      const { app } = createApp({ generateRequestId: () => { throw new Error('broken generator') } })
      const response = await request(app).get('/')
      assert.equal(response.status, 200)
      assert.match(String(response.headers['x-request-id']), UUID)
    })
  })
}
