import assert from 'node:assert/strict'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import pino from 'pino'
import { requestContext } from '@logstash-async/core'
import { logstashPlugin, logstashStream, pinoLevel } from '@logstash-async/fastify'
import { RecordingHandler } from './recording-handler'

/** The settings the README recommends: Fastify's own per-request lines off, our events on. */
function recommended (handler: RecordingHandler): FastifyServerOptions {
  return {
    logger: { stream: logstashStream(handler) },
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id'
  }
}

describe('logstashStream', () => {
  let app: FastifyInstance | undefined

  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  async function start (handler: RecordingHandler, options: FastifyServerOptions): Promise<FastifyInstance> {
    app = Fastify(options)
    await app.register(logstashPlugin, { handler })
    app.post('/orders/:id', async (request) => {
      await Promise.resolve()
      request.log.info({ orderId: 42 }, 'order placed')
      return { ok: true }
    })
    app.get('/boom', async () => { throw new Error('database down') })
    await app.ready()
    return app
  }

  it('turns request.log.info() into an event with the request fields', async () => {
    const handler = new RecordingHandler()
    await start(handler, recommended(handler))
    await app!.inject({ method: 'POST', url: '/orders/42', payload: { item: 'book' }, headers: { 'x-request-id': 'pino-1' } })
    const event = handler.withMessage('order placed')[0]
    assert.ok(event)
    assert.equal(event.level, 'INFO')
    assert.equal(event.orderId, 42)
    assert.equal(event.request_id, 'pino-1')
    assert.equal(event.req_route, '/orders/:id')
    assert.equal(event.req_method, 'POST')
    assert.equal(event.reqId, undefined, 'pino\'s reqId is the request_id already')
    assert.equal(event.hostname, undefined)
    assert.equal(event.pid, process.pid)
  })

  it('ships each request once with the recommended settings: its own lines, its error, its access event', async () => {
    const handler = new RecordingHandler()
    await start(handler, recommended(handler))
    await app!.inject({ method: 'POST', url: '/orders/1', payload: {}, headers: { 'x-request-id': 'once-1' } })
    await app!.inject({ url: '/boom', headers: { 'x-request-id': 'once-2' } })
    await app!.inject({ url: '/missing', headers: { 'x-request-id': 'once-3' } })
    const messages = (id: string): string[] => handler.events.filter((e) => e.request_id === id).map((e) => e.message.replace(/ [\d.]+ms$/, ''))
    assert.deepEqual(messages('once-1'), ['order placed', 'POST /orders/1 200'])
    assert.deepEqual(messages('once-2'), ['database down', 'GET /boom 500'])
    assert.deepEqual(messages('once-3'), ['GET /missing 404'])
  })

  it('would ship a request again with Fastify\'s own request logging left on', async () => {
    // Why the README recommends the LogController setting: this is what it prevents.
    const handler = new RecordingHandler()
    await start(handler, { logger: { stream: logstashStream(handler) }, requestIdHeader: 'x-request-id' })
    await app!.inject({ url: '/boom', headers: { 'x-request-id': 'twice-1' } })
    const messages = handler.events.filter((e) => e.request_id === 'twice-1').map((e) => e.message.replace(/ [\d.]+ms$/, ''))
    assert.deepEqual(messages, ['incoming request', 'database down', 'database down', 'GET /boom 500', 'request completed'])
  })

  it('gives a request\'s line logged outside its context the request id from reqId', async () => {
    const handler = new RecordingHandler()
    await start(handler, { logger: { stream: logstashStream(handler) }, requestIdHeader: 'x-request-id' })
    await app!.inject({ url: '/boom', headers: { 'x-request-id': 'early-1' } })
    // Fastify writes 'incoming request' before any onRequest hook entered the context.
    const incoming = handler.withMessage('incoming request')[0]
    assert.equal(incoming?.request_id, 'early-1')
    assert.equal(incoming?.reqId, undefined)
    assert.equal(incoming?.req_route, undefined)
  })

  it('reads the context synchronously: pino writes to a plain stream in the caller\'s context', () => {
    const handler = new RecordingHandler()
    const logger = pino({}, logstashStream(handler))
    requestContext.run({ id: 'sync-1', route: '/sync' }, () => {
      logger.info('inside')
      // No await in between: the event is formatted already, with this context.
      assert.equal(handler.events.length, 1)
    })
    logger.info('outside')
    assert.equal(handler.events[0]?.request_id, 'sync-1')
    assert.equal(handler.events[0]?.req_route, '/sync')
    assert.equal(handler.events[1]?.request_id, undefined)
  })

  it('works as the destination of a pino logger given as loggerInstance', async () => {
    const handler = new RecordingHandler()
    const withPino = Fastify({
      loggerInstance: pino({ name: 'api' }, logstashStream(handler)),
      logController: new LogController({ disableRequestLogging: true })
    })
    app = withPino as unknown as FastifyInstance
    await withPino.register(logstashPlugin, { handler })
    withPino.get('/hello', async (request) => { request.log.warn('careful'); return 'hi' })
    await withPino.inject('/hello')
    const event = handler.withMessage('careful')[0]
    assert.equal(event?.level, 'WARNING')
    assert.equal(event?.logger_name, 'api')
    assert.equal(event?.req_route, '/hello')
  })

  it('maps pino\'s err, time and name onto the event', () => {
    const handler = new RecordingHandler()
    const stream = logstashStream(handler)
    stream.write(JSON.stringify({
      level: 50,
      time: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
      pid: 1,
      hostname: 'elsewhere',
      name: 'billing',
      msg: 'charge failed',
      err: { type: 'TypeError', message: 'bad card', stack: 'TypeError: bad card\n    at charge (billing.js:1:1)\ncaused by: Error: declined', code: 'E_CARD' },
      orderId: 7
    }) + '\n')
    const event = handler.events[0]!
    assert.equal(event['@timestamp'], '2024-01-02T03:04:05.006Z')
    assert.equal(event.level, 'ERROR')
    assert.equal(event.logger_name, 'billing')
    assert.equal(event.message, 'charge failed')
    assert.equal(event.error_type, 'TypeError')
    assert.match(String(event.stack_trace), /^TypeError: bad card\n {4}at charge[\s\S]*caused by: Error: declined\n$/)
    assert.deepEqual(event.err, { code: 'E_CARD' })
    assert.equal(event.orderId, 7)
    assert.notEqual(event.host, 'elsewhere')
  })

  it('maps pino\'s levels, custom ones to the next lower standard level', () => {
    const cases: [unknown, string][] = [[10, 'trace'], [20, 'debug'], [30, 'info'], [35, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal'], ['warn', 'warn'], ['warning', 'warn'], [undefined, 'info']]
    for (const [input, expected] of cases) assert.equal(pinoLevel(input), expected, String(input))
  })

  it('keeps a line that is not JSON as the message, without throwing', () => {
    const handler = new RecordingHandler()
    const stream = logstashStream(handler)
    assert.doesNotThrow(() => stream.write('plain text line\n'))
    assert.equal(handler.events[0]?.message, 'plain text line')
    assert.equal(handler.events[0]?.level, 'INFO')
  })

  it('flushes the handler when pino flushes', async () => {
    const handler = new RecordingHandler()
    const logger = pino({}, logstashStream(handler))
    await new Promise<void>((resolve, reject) => logger.flush((err) => err ? reject(err) : resolve()))
    assert.equal(handler.flushes, 1)
  })
})
