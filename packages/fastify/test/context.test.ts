import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { createLogger, type Logger } from '@logstash-async/core'
import { buildApp, send, type Via } from './app'
import type { RecordedEvent, RecordingHandler } from './recording-handler'

// Logs through the ambient request context only (not request.logstash), so these tests fail
// if the context is lost at any stage.
function ambientLogger (handler: RecordingHandler): Logger {
  return createLogger({ handler, name: 'app' })
}

function assertRequestFields (event: RecordedEvent | undefined, id: string, route: string, what: string): void {
  assert.ok(event, `no event for ${what}`)
  assert.equal(event.request_id, id, `request_id on ${what}`)
  assert.equal(event.req_route, route, `req_route on ${what}`)
  assert.equal(event.fastify_version !== undefined, true, `fastify_version on ${what}`)
}

/**
 * POSTs `body` over a real socket in two steps: the headers, then, once `started` resolves
 * (the server ran onRequest), the body. The body then arrives on the socket's own async
 * context, not the one onRequest entered: what happens in production with slow clients and
 * large bodies.
 */
async function postInTwoSteps (app: FastifyInstance, path: string, id: string, body: string, started: Promise<void>): Promise<number> {
  const { port } = app.server.address() as AddressInfo
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': id }
  })
  const response = new Promise<number>((resolve, reject) => {
    request.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
    request.on('error', reject)
  })
  request.flushHeaders()
  await started
  request.end(body)
  return response
}

describe('fastify request context (body sent after the headers)', () => {
  let app: FastifyInstance | undefined

  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  it('keeps the request fields in every hook and the handler when the body arrives late', async () => {
    let onRequestRan!: () => void
    const started = new Promise<void>((resolve) => { onRequestRan = resolve })
    const built = await buildApp('listen', (fastify, handler) => {
      const log = ambientLogger(handler)
      fastify.addHook('onRequest', (_request, _reply, done) => { onRequestRan(); done() })
      fastify.addHook('preValidation', (_request, _reply, done) => { log.info('preValidation'); done() })
      fastify.addHook('preHandler', async () => { log.info('preHandler') })
      fastify.addHook('onSend', (_request, _reply, payload, done) => { log.info('onSend'); done(null, payload) })
      fastify.addHook('onResponse', (_request, _reply, done) => { log.info('onResponse'); done() })
      fastify.post('/late-body', async (request) => {
        log.info('handler', { item: (request.body as { item: string }).item })
        await Promise.resolve()
        log.info('after await')
        return { ok: true }
      })
    })
    app = built.app
    const status = await postInTwoSteps(app, '/late-body', 'late-1', JSON.stringify({ item: 'lamp' }), started)
    assert.equal(status, 200)
    await built.handler.waitFor((e) => e.message === 'onResponse', 'the onResponse event')
    for (const stage of ['preValidation', 'preHandler', 'handler', 'after await', 'onSend', 'onResponse']) {
      assertRequestFields(built.handler.withMessage(stage)[0], 'late-1', '/late-body', stage)
    }
  })
})

for (const via of ['inject', 'listen'] as Via[]) {
  describe(`fastify request context (${via})`, () => {
    let app: FastifyInstance | undefined

    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    it('carries the request fields on events from onRequest to onSend', async () => {
      const built = await buildApp(via, (fastify, handler) => {
        const log = ambientLogger(handler)
        fastify.addHook('onRequest', async () => { log.info('onRequest') })
        fastify.addHook('preParsing', async () => { log.info('preParsing') })
        fastify.addHook('preValidation', async () => { log.info('preValidation') })
        fastify.addHook('preHandler', async () => { log.info('preHandler') })
        fastify.addHook('preSerialization', async (_request, _reply, payload) => { log.info('preSerialization'); return payload })
        fastify.addHook('onSend', async (_request, _reply, payload) => { log.info('onSend'); return payload })
        fastify.addHook('onResponse', async () => { log.info('onResponse') })
        fastify.get('/hooks/:id', async () => {
          log.info('handler')
          return { ok: true }
        })
      })
      app = built.app
      const response = await send(app, via, { url: '/hooks/7', headers: { 'x-request-id': 'hooks-1' } })
      assert.equal(response.statusCode, 200)
      await built.handler.waitFor((e) => e.message === 'onResponse', 'the onResponse event')
      for (const stage of ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'handler', 'preSerialization', 'onSend', 'onResponse']) {
        assertRequestFields(built.handler.withMessage(stage)[0], 'hooks-1', '/hooks/:id', stage)
      }
    })

    it('keeps the request fields after a JSON body was parsed', async () => {
      const built = await buildApp(via, (fastify, handler) => {
        const log = ambientLogger(handler)
        fastify.addHook('preValidation', (_request, _reply, done) => { log.info('preValidation'); done() })
        fastify.addHook('preHandler', (_request, _reply, done) => { log.info('preHandler'); done() })
        fastify.post('/orders', {
          schema: { body: { type: 'object', required: ['item'], properties: { item: { type: 'string' } } } }
        }, (request, reply) => {
          log.info('handler', { item: (request.body as { item: string }).item })
          void reply.send({ ok: true })
        })
      })
      app = built.app
      const response = await send(app, via, { method: 'POST', url: '/orders', json: { item: 'book' }, headers: { 'x-request-id': 'body-1' } })
      assert.equal(response.statusCode, 200)
      for (const stage of ['preValidation', 'preHandler', 'handler']) {
        assertRequestFields(built.handler.withMessage(stage)[0], 'body-1', '/orders', stage)
      }
      assert.equal(built.handler.withMessage('handler')[0]?.item, 'book')
    })

    it('keeps the request fields after await in an async handler', async () => {
      const built = await buildApp(via, (fastify, handler) => {
        const log = ambientLogger(handler)
        fastify.post('/slow', async () => {
          await new Promise<void>((resolve) => setImmediate(resolve))
          await Promise.resolve()
          log.info('after await')
          await new Promise<void>((resolve) => setTimeout(resolve, 1))
          log.info('after timer')
          return { ok: true }
        })
      })
      app = built.app
      await send(app, via, { method: 'POST', url: '/slow', json: { a: 1 }, headers: { 'x-request-id': 'await-1' } })
      assertRequestFields(built.handler.withMessage('after await')[0], 'await-1', '/slow', 'after await')
      assertRequestFields(built.handler.withMessage('after timer')[0], 'await-1', '/slow', 'after timer')
    })

    it('carries the request fields in onError and in the error handler', async () => {
      const built = await buildApp(via, (fastify, handler) => {
        const log = ambientLogger(handler)
        fastify.addHook('onError', async () => { log.info('onError') })
        fastify.setErrorHandler(async (error, _request, reply) => {
          log.info('errorHandler')
          return reply.code(503).send({ message: (error as Error).message })
        })
        fastify.post('/fail', async () => {
          await Promise.resolve()
          throw new Error('no stock')
        })
      })
      app = built.app
      const response = await send(app, via, { method: 'POST', url: '/fail', json: { a: 1 }, headers: { 'x-request-id': 'err-1' } })
      assert.equal(response.statusCode, 503)
      assertRequestFields(built.handler.withMessage('onError')[0], 'err-1', '/fail', 'onError')
      assertRequestFields(built.handler.withMessage('errorHandler')[0], 'err-1', '/fail', 'errorHandler')
    })

    it('never mixes the fields of two concurrent requests', async () => {
      // Both handlers wait until both requests are inside the handler, then each logs
      // before and after the other one resumed: the interleaving is forced, not timed.
      let arrived = 0
      let releaseAll!: () => void
      const bothArrived = new Promise<void>((resolve) => { releaseAll = resolve })
      const built = await buildApp(via, (fastify, handler) => {
        const log = ambientLogger(handler)
        fastify.post('/concurrent/:name', async (request) => {
          const name = (request.params as { name: string }).name
          log.info('arrived', { name })
          if (++arrived === 2) releaseAll()
          await bothArrived
          log.info('resumed', { name })
          await new Promise<void>((resolve) => setImmediate(resolve))
          log.info('done', { name })
          return { name }
        })
      })
      app = built.app
      const [a, b] = await Promise.all([
        send(app, via, { method: 'POST', url: '/concurrent/a', json: { n: 'a' }, headers: { 'x-request-id': 'req-a' } }),
        send(app, via, { method: 'POST', url: '/concurrent/b', json: { n: 'b' }, headers: { 'x-request-id': 'req-b' } })
      ])
      assert.equal(a.statusCode, 200)
      assert.equal(b.statusCode, 200)
      const logged = built.handler.events.filter((e) => e.name !== undefined)
      assert.equal(logged.length, 6)
      for (const event of logged) {
        assert.equal(event.request_id, `req-${event.name as string}`, `${event.message} of ${event.name as string}`)
        assert.ok(String(event.req_uri).endsWith(`/concurrent/${event.name as string}`), `req_uri of ${event.name as string}`)
      }
    })

    it('restores the request fields in preSerialization, onSend and onResponse when the reply is sent from a callback that lost them', async () => {
      // An emitter created outside any request (a job queue, a pooled connection): its
      // listeners run in the emitter's caller's context, here the test's, with no request.
      const jobs = new EventEmitter()
      let handlerRan!: () => void
      const waiting = new Promise<void>((resolve) => { handlerRan = resolve })
      const built = await buildApp(via, (fastify, handler) => {
        const log = ambientLogger(handler)
        fastify.addHook('preSerialization', (_request, _reply, payload, done) => { log.info('preSerialization'); done(null, payload) })
        fastify.addHook('onSend', (_request, _reply, payload, done) => { log.info('onSend'); done(null, payload) })
        fastify.addHook('onResponse', (_request, _reply, done) => { log.info('onResponse'); done() })
        fastify.get('/queued', (_request, reply) => {
          jobs.once('done', (result: unknown) => { void reply.send({ result }) })
          handlerRan()
        })
      })
      app = built.app
      const response = send(app, via, { url: '/queued', headers: { 'x-request-id': 'queued-1' } })
      await waiting
      jobs.emit('done', 42)
      assert.equal((await response).statusCode, 200)
      await built.handler.waitFor((e) => e.message === 'onResponse', 'the onResponse event')
      for (const stage of ['preSerialization', 'onSend', 'onResponse']) {
        assertRequestFields(built.handler.withMessage(stage)[0], 'queued-1', '/queued', stage)
      }
    })

    it('gives request.logstash the fields of its request even outside the request', async () => {
      let saved: Logger | undefined
      const built = await buildApp(via, (fastify) => {
        fastify.get('/bound', async (request) => {
          saved = request.logstash
          return { ok: true }
        })
      })
      app = built.app
      await send(app, via, { url: '/bound', headers: { 'x-request-id': 'bound-1' } })
      assert.ok(saved)
      saved.info('later, from nowhere')
      const event = built.handler.withMessage('later, from nowhere')[0]
      assertRequestFields(event, 'bound-1', '/bound', 'a late request.logstash call')
      assert.equal(event?.logger_name, 'fastify')
    })
  })
}
