import assert from 'node:assert/strict'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { logstashErrorMiddleware, logstashMiddleware } from '@logstash-async/express'
import { FRAMEWORKS, idOf, Pipeline, type LogstashEvent } from './helpers'

const isError = (e: LogstashEvent): boolean => e.extra.stack_trace !== undefined
const isAccess = (e: LogstashEvent): boolean => e.extra.duration_ms !== undefined

class PaymentError extends Error {
  override name = 'PaymentError'
}

for (const { name, express, major } of FRAMEWORKS) {
  describe(`logstashErrorMiddleware (${name})`, () => {
    let pipeline: Pipeline

    beforeEach(async () => { pipeline = await Pipeline.start() })
    afterEach(async () => { await pipeline.close() })

    // The app's own last error handler: answers with the error's status, as apps do.
    const reply = (err: { status?: number }, _req: Request, res: Response, _next: NextFunction): void => {
      res.status(err.status ?? 500).send('sorry')
    }

    /** Waits for the request's access event (logged last), then returns its other events. */
    async function eventsOf (requestId: string): Promise<{ errors: LogstashEvent[], access: LogstashEvent[] }> {
      await pipeline.access(requestId)
      const mine = (await pipeline.settled()).filter((e) => e.extra.request_id === requestId)
      return { errors: mine.filter(isError), access: mine.filter(isAccess) }
    }

    it('logs one error event with the error type, message, stack and cause at status 500', async () => {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler }))
      app.get('/pay', () => { throw new PaymentError('card declined', { cause: new Error('gateway timeout') }) })
      app.use(logstashErrorMiddleware())
      app.use(reply)
      const response = await request(app).get('/pay')
      assert.equal(response.status, 500)
      const { errors } = await eventsOf(idOf(response))
      assert.equal(errors.length, 1)
      const [event] = errors as [LogstashEvent]
      assert.equal(event.message, 'card declined')
      assert.equal(event.level, 'ERROR')
      assert.equal(event.extra.error_type, 'PaymentError')
      assert.match(String(event.extra.stack_trace), /^PaymentError: card declined\n\s+at /)
      assert.match(String(event.extra.stack_trace), /Caused by: Error: gateway timeout/)
      assert.equal(event.extra.status_code, 500)
      assert.equal(event.extra.req_route, '/pay')
    })

    it('logs the error at the status it carries: a 404 at WARNING', async () => {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler }))
      app.get('/orders/:id', (_req, _res, next) => { next(Object.assign(new Error('no such order'), { status: 404 })) })
      app.use(logstashErrorMiddleware())
      app.use(reply)
      const response = await request(app).get('/orders/7')
      assert.equal(response.status, 404)
      const [event] = (await eventsOf(idOf(response))).errors
      assert.equal(event?.extra.status_code, 404)
      assert.equal(event?.level, 'WARNING')
    })

    it('leaves the error out of the access event, which still carries the final status', async () => {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler }))
      app.get('/pay', () => { throw new PaymentError('card declined') })
      app.use(logstashErrorMiddleware())
      app.use(reply)
      const response = await request(app).get('/pay')
      const { errors, access } = await eventsOf(idOf(response))
      assert.equal(errors.length, 1)
      assert.equal(access.length, 1)
      assert.equal(access[0]?.extra.status_code, 500)
      assert.equal(access[0]?.extra.error_type, undefined)
      assert.equal(access[0]?.extra.stack_trace, undefined)
    })

    it('passes the error on to the application\'s error handlers', async () => {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler }))
      const boom = new Error('boom')
      app.get('/boom', () => { throw boom })
      app.use(logstashErrorMiddleware())
      let seen: unknown
      app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => { seen = err; res.status(503).send('later') })
      const response = await request(app).get('/boom')
      assert.equal(response.status, 503)
      assert.equal(seen, boom)
    })

    it('logs a request\'s error once, even when the error middleware runs twice', async () => {
      const app = express()
      app.use(logstashMiddleware({ handler: pipeline.handler }))
      const router = express.Router()
      router.get('/boom', () => { throw new Error('boom') })
      router.use(logstashErrorMiddleware())
      app.use('/api', router)
      app.use(logstashErrorMiddleware())
      app.use(reply)
      const response = await request(app).get('/api/boom')
      assert.equal((await eventsOf(idOf(response))).errors.length, 1)
    })

    it('logs the error when Express\'s own final handler answers', async () => {
      const app = express()
      app.set('env', 'test') // keeps finalhandler from printing the stack on stderr
      app.use(logstashMiddleware({ handler: pipeline.handler }))
      app.get('/boom', () => { throw Object.assign(new Error('teapot'), { statusCode: 418 }) })
      app.use(logstashErrorMiddleware())
      const response = await request(app).get('/boom')
      assert.equal(response.status, 418)
      const { errors, access } = await eventsOf(idOf(response))
      assert.equal(errors.length, 1)
      assert.equal(errors[0]?.extra.status_code, 418)
      assert.equal(access[0]?.extra.status_code, 418)
    })

    if (major === 5) {
      it('logs the rejection of an async route once', async () => {
        const app = express()
        app.use(logstashMiddleware({ handler: pipeline.handler }))
        app.get('/async', async () => {
          await Promise.resolve()
          throw new PaymentError('async decline')
        })
        app.use(logstashErrorMiddleware())
        app.use(reply)
        const response = await request(app).get('/async')
        const { errors } = await eventsOf(idOf(response))
        assert.equal(errors.length, 1)
        assert.equal(errors[0]?.message, 'async decline')
        assert.equal(errors[0]?.extra.req_route, '/async')
      })
    }
  })
}
