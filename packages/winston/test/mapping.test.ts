import assert from 'node:assert/strict'
import winston from 'winston'
import TransportStream from 'winston-transport'
import { requestContext } from '@logstash-async/core'
import { LogstashTransport, type LogstashTransportOptions } from '@logstash-async/winston'
import { FORMATS, Pipeline, REQUEST_FIELDS, durationMs, field, levelName, levelOf, userField } from '../../../test/helpers/pipeline'

// Every mapping of a winston info object, through a real LogstashHandler and a TCP receiver, in both formats.
for (const format of FORMATS) {
  describe(`winston through LogstashTransport (${format})`, () => {
    let pipeline: Pipeline

    beforeEach(async () => { pipeline = await Pipeline.start(format) })
    afterEach(async () => { await pipeline.close() })

    function logger (options: winston.LoggerOptions = {}, transport: LogstashTransportOptions = {}): winston.Logger {
      return winston.createLogger({ level: 'silly', ...options, transports: [new LogstashTransport({ handler: pipeline.handler, ...transport })] })
    }

    it('maps the npm levels', async () => {
      const log = logger()
      for (const level of ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']) log.log(level, `at ${level}`)
      const events = await pipeline.events(7)
      assert.deepEqual(events.map((e) => levelOf(e, format)), ['error', 'warn', 'info', 'info', 'debug', 'debug', 'trace'].map((l) => levelName(l, format)))
      assert.deepEqual(events.map((e) => userField(e, format, 'winston_level')), [undefined, undefined, undefined, 'http', 'verbose', undefined, 'silly'])
    })

    it('maps the syslog levels, and custom ones through levelMap', async () => {
      const log = logger({ levels: winston.config.syslog.levels, level: 'debug' })
      for (const level of ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug']) log.log(level, `at ${level}`)
      logger({ levels: { audit: 0, info: 1 }, level: 'info' }, { levelMap: { audit: 'warn' } }).log('audit', 'audited')
      const events = await pipeline.events(9)
      assert.deepEqual(events.map((e) => levelOf(e, format)), ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug', 'warn'].map((l) => levelName(l, format)))
      assert.equal(userField(events[8]!, format, 'winston_level'), 'audit')
    })

    it('keeps metadata, splat objects, defaultMeta and child fields as fields, and the timestamp as the event\'s', async () => {
      const log = logger({ defaultMeta: { service: 'api' }, format: winston.format.combine(winston.format.timestamp(), winston.format.splat()) })
      log.info('order %s placed', 'A-1', { orderId: 1 })
      log.info('two objects', { first: 1 }, { second: 2 })
      log.child({ component: 'billing' }).warn('from a child')
      logger({ format: winston.format.timestamp({ format: () => '2024-01-02T03:04:05.678Z' }) }).info('stamped')
      const events = await pipeline.events(4)
      const [placed, two, child, stamped] = events as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]
      assert.equal(placed.message, 'order A-1 placed')
      assert.equal(userField(placed, format, 'orderId'), format === 'ecs' ? '1' : 1)
      assert.equal(userField(placed, format, 'service'), 'api')
      assert.equal(userField(placed, format, 'timestamp'), undefined)
      assert.equal(userField(two, format, 'first'), format === 'ecs' ? '1' : 1)
      assert.equal(userField(two, format, 'second'), format === 'ecs' ? '2' : 2)
      assert.equal(userField(child, format, 'component'), 'billing')
      assert.equal(stamped['@timestamp'], '2024-01-02T03:04:05.678Z')
    })

    it('makes the error the event\'s error wherever winston put it', async () => {
      const cause = new Error('card expired')
      const error = () => Object.assign(new TypeError('declined', { cause }), { code: 'E_CARD' })
      logger().error(error())
      logger().error('charge failed', error())
      logger({ format: winston.format.errors({ stack: true }) }).error(error())
      logger().error('with a field', { err: error() })
      logger({ format: winston.format.errors({ stack: true }) }).log({ level: 'error', message: error() as unknown as string })
      const events = await pipeline.events(5)
      assert.deepEqual(events.map((e) => e.message), ['declined', 'charge failed declined', 'declined', 'with a field', 'declined'])
      for (const event of events) {
        assert.equal(field(event, format, REQUEST_FIELDS.errorType), 'TypeError')
        assert.match(field(event, format, REQUEST_FIELDS.stack) as string, /^TypeError: declined\n {4}at /)
        assert.equal(userField(event, format, 'stack'), undefined)
      }
      // A real Error keeps its cause; format.errors() leaves only the stack (and `cause` with cause: true).
      assert.match(field(events[1]!, format, REQUEST_FIELDS.stack) as string, /Caused by: Error: card expired/)
    })

    it('attaches the request context of the log call, even when another transport makes winston buffer', async () => {
      // A transport that takes a turn per event: past its buffer, winston's pipe pauses and
      // the logger holds the rest, which later flow from another context.
      let slowCalls = 0
      const slow = new (class extends TransportStream {
        override log (_info: unknown, callback: () => void): void { slowCalls++; setImmediate(callback) }
      })()
      const log = winston.createLogger({ transports: [new LogstashTransport({ handler: pipeline.handler }), slow] })
      for (let n = 0; n < 50; n++) requestContext.run({ id: `ctx-${n}`, method: 'GET', url: `/r/${n}` }, () => log.info(`line ${n}`))
      log.info('outside')
      const events = await pipeline.events(51)
      for (let n = 0; n < 50; n++) {
        const event = events.find((e) => e.message === `line ${n}`)!
        assert.equal(field(event, format, REQUEST_FIELDS.id), `ctx-${n}`)
      }
      assert.equal(field(events.find((e) => e.message === 'outside')!, format, REQUEST_FIELDS.id), undefined)
      assert.ok(slowCalls > 0)
    })

    it('maps express-winston\'s request line to the request and access fields', async () => {
      const req = { url: '/orders?x=1', headers: { host: 'shop.example', 'user-agent': 'curl/8', 'content-length': '15' }, method: 'POST', httpVersion: '1.1', originalUrl: '/orders?x=1', query: { x: '1' } }
      logger().log({ level: 'info', message: 'HTTP POST /orders', meta: { req, res: { statusCode: 503 }, responseTime: 12 } })
      logger({}, { accessLevel: false }).info('top level', { req, res: { statusCode: 201 }, responseTime: 3 })
      const events = await pipeline.events(2)
      const [access, top] = events as [Record<string, unknown>, Record<string, unknown>]
      assert.equal(access.message, 'HTTP POST /orders')
      assert.equal(levelOf(access, format), levelName('error', format))
      assert.equal(field(access, format, REQUEST_FIELDS.method), 'POST')
      assert.equal(field(access, format, REQUEST_FIELDS.uri), 'http://shop.example/orders?x=1')
      assert.equal(field(access, format, REQUEST_FIELDS.userAgent), 'curl/8')
      assert.equal(field(access, format, REQUEST_FIELDS.status), 503)
      assert.equal(durationMs(access, format), 12)
      assert.equal(field(access, format, REQUEST_FIELDS.requestBytes), 15)
      assert.equal(field(access, format, REQUEST_FIELDS.id), undefined)
      assert.equal(userField(access, format, 'meta'), undefined)
      assert.equal(levelOf(top, format), levelName('info', format))
      assert.equal(field(top, format, REQUEST_FIELDS.status), 201)
    })
  })
}
