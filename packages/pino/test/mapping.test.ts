import assert from 'node:assert/strict'
import pino from 'pino'
import { requestContext } from '@logstash-async/core'
import { logstashDestination, type LogstashDestinationOptions } from '@logstash-async/pino'
import { FORMATS, Pipeline, REQUEST_FIELDS, durationMs, field, levelName, levelOf, userField } from '../../../test/helpers/pipeline'

// Every mapping of a pino line, through a real LogstashHandler and a TCP receiver, in both formats.
for (const format of FORMATS) {
  describe(`pino lines through logstashDestination (${format})`, () => {
    let pipeline: Pipeline

    beforeEach(async () => { pipeline = await Pipeline.start(format) })
    afterEach(async () => { await pipeline.close() })

    // Custom levels add methods pino's types only know from a literal options object.
    type AnyLogger = pino.Logger & Record<string, (msg: string) => void>
    function logger (options: pino.LoggerOptions<string> = {}, destination: LogstashDestinationOptions = {}): AnyLogger {
      return pino(options, logstashDestination(pipeline.handler, destination)) as unknown as AnyLogger
    }

    it('maps the six levels', async () => {
      const log = logger({ level: 'trace' })
      for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) log[level](`at ${level}`)
      const events = await pipeline.events(6)
      assert.deepEqual(events.map((e) => levelOf(e, format)), ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => levelName(l, format)))
    })

    it('maps custom levels by name, then by number, keeping the custom label', async () => {
      const log = logger({ level: 'trace', customLevels: { audit: 35, notice: 32, critical: 55, chatter: 15 } })
      log.audit!('audited')
      log.notice!('noticed')
      log.critical!('critical')
      log.chatter!('chatty')
      const events = await pipeline.events(4)
      assert.deepEqual(events.map((e) => levelOf(e, format)), ['info', 'info', 'fatal', 'trace'].map((l) => levelName(l, format)))
      assert.deepEqual(events.map((e) => userField(e, format, 'pino_level')), ['audit', 'notice', 'critical', 'chatter'])
    })

    it('maps custom levels with levelMap first, and levels written as labels', async () => {
      const log = logger({ customLevels: { audit: 35 }, formatters: { level: (label) => ({ level: label }) } }, { levelMap: { audit: 'warn' } })
      log.audit!('audited')
      log.error('failed')
      const events = await pipeline.events(2)
      assert.deepEqual(events.map((e) => levelOf(e, format)), [levelName('warn', format), levelName('error', format)])
    })

    it('reads every time form pino writes', async () => {
      const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678)
      const forms: [string, () => string][] = [
        ['epoch', () => `,"time":${at}`],
        ['iso', () => `,"time":"${new Date(at).toISOString()}"`],
        ['isoNano', () => `,"time":"2024-01-02T03:04:05.678123456Z"`],
        ['unix', () => `,"time":${Math.floor(at / 1000)}`]
      ]
      for (const [name, timestamp] of forms) logger({ timestamp }).info(name)
      logger({ timestamp: pino.stdTimeFunctions.isoTime }).info('std iso')
      logger({ timestamp: false }).info('none')
      const events = await pipeline.events(6)
      assert.deepEqual(events.slice(0, 4).map((e) => e['@timestamp']), ['2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.000Z'])
      for (const event of events.slice(4)) assert.ok(Math.abs(Date.parse(event['@timestamp'] as string) - Date.now()) < 60_000)
    })

    it('takes the message from messageKey, announced by pino or given', async () => {
      logger({ messageKey: 'message' }).info({ orderId: 1 }, 'announced')
      const shared = logstashDestination(pipeline.handler, { messageKey: 'text' })
      pino({}, pino.multistream([{ stream: shared }])).info({ text: 'given' })
      logger().info({ nested: true }, 'plain')
      const events = await pipeline.events(3)
      assert.deepEqual(events.map((e) => e.message), ['announced', 'given', 'plain'])
      assert.equal(userField(events[0]!, format, 'orderId'), format === 'ecs' ? '1' : 1)
      assert.equal(userField(events[0]!, format, 'msg'), undefined)
    })

    it('makes err the event\'s error, with its type, stack and causes, from both pino serializers', async () => {
      const cause = new Error('card expired')
      const err = Object.assign(new TypeError('declined', { cause }), { code: 'E_CARD' })
      logger({ name: 'billing' }).error({ err, orderId: 7 }, 'payment failed')
      logger({ serializers: { err: pino.stdSerializers.errWithCause } }).error(err)
      logger({ errorKey: 'error' }).error({ error: new RangeError('too far') }, 'with errorKey')
      const events = await pipeline.events(3)
      const [std, withCause, custom] = events as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]
      assert.equal(std.message, 'payment failed')
      assert.equal(levelOf(std, format), levelName('error', format))
      assert.equal(field(std, format, REQUEST_FIELDS.logger), 'billing')
      assert.equal(field(std, format, REQUEST_FIELDS.errorType), 'TypeError')
      assert.match(field(std, format, REQUEST_FIELDS.stack) as string, /^TypeError: declined\n {4}at [\s\S]*caused by: Error: card expired/)
      assert.equal(userField(std, format, 'orderId'), format === 'ecs' ? '7' : 7)
      if (format === 'ecs') assert.equal(field(std, format, { logstash: '', ecs: 'error.code' }), 'E_CARD')
      assert.equal(withCause.message, 'declined')
      assert.equal(field(withCause, format, REQUEST_FIELDS.errorType), 'TypeError')
      assert.match(field(withCause, format, REQUEST_FIELDS.stack) as string, /Caused by: Error: card expired/)
      assert.equal(field(custom, format, REQUEST_FIELDS.errorType), 'RangeError')
    })

    it('keeps child bindings and the logger name, dropping pino\'s pid, hostname and v', async () => {
      const log = logger({ name: 'api', base: { pid: 1, hostname: 'elsewhere' } }).child({ component: 'billing', tenant: 't-1' })
      log.child({ step: 'charge' }).info('nested child')
      const [event] = await pipeline.events(1) as [Record<string, unknown>]
      assert.equal(field(event, format, REQUEST_FIELDS.logger), 'api')
      assert.equal(userField(event, format, 'component'), 'billing')
      assert.equal(userField(event, format, 'tenant'), 't-1')
      assert.equal(userField(event, format, 'step'), 'charge')
      assert.equal(userField(event, format, 'hostname'), undefined)
      assert.equal(format === 'ecs' ? field(event, format, { logstash: '', ecs: 'process.pid' }) : event.pid, process.pid)
    })

    it('gives a line outside any request its reqId as the request id, and one inside a request the request\'s', async () => {
      const log = logger()
      log.info({ reqId: 'outside-1' }, 'outside')
      requestContext.run({ id: 'ctx-1', method: 'GET', url: '/inside' }, () => log.child({ reqId: 'ctx-1' }).info('inside'))
      const events = await pipeline.events(2)
      assert.equal(field(events[0]!, format, REQUEST_FIELDS.id), 'outside-1')
      assert.equal(userField(events[0]!, format, 'reqId'), undefined)
      assert.equal(field(events[1]!, format, REQUEST_FIELDS.id), 'ctx-1')
      assert.equal(field(events[1]!, format, REQUEST_FIELDS.method), 'GET')
    })

    it('maps pino-http\'s req, res and responseTime to the request and access fields', async () => {
      const req = { id: 42, method: 'POST', url: '/orders?x=1', query: { x: '1' }, params: {}, headers: { host: 'shop.example:8080', 'user-agent': 'curl/8', 'content-length': '15' }, remoteAddress: '10.0.0.9', remotePort: 51000 }
      const log = logger().child({ req })
      log.info('order placed')
      log.info({ res: { statusCode: 201, headers: { 'content-length': '11' } }, responseTime: 12 }, 'request completed')
      log.info({ res: { statusCode: null, headers: {} }, responseTime: 3 }, 'request aborted')
      const events = await pipeline.events(3)
      const [placed, access, aborted] = events as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]
      for (const event of events) {
        assert.equal(field(event, format, REQUEST_FIELDS.id), '42')
        assert.equal(field(event, format, REQUEST_FIELDS.method), 'POST')
        assert.equal(field(event, format, REQUEST_FIELDS.host), 'shop.example')
        assert.equal(field(event, format, REQUEST_FIELDS.userAgent), 'curl/8')
        assert.equal(field(event, format, REQUEST_FIELDS.ip), '10.0.0.9')
        assert.equal(userField(event, format, 'req'), undefined)
      }
      assert.equal(field(placed, format, REQUEST_FIELDS.uri), format === 'ecs' ? 'http://shop.example:8080/orders?x=1' : 'http://shop.example:8080/orders?x=1')
      assert.equal(placed.message, 'order placed')
      assert.equal(durationMs(placed, format), undefined)
      assert.equal(access.message, 'POST /orders?x=1 201 12.0ms')
      assert.equal(field(access, format, REQUEST_FIELDS.status), 201)
      assert.equal(durationMs(access, format), 12)
      assert.equal(field(access, format, REQUEST_FIELDS.responseBytes), 11)
      assert.equal(field(access, format, REQUEST_FIELDS.requestBytes), 15)
      assert.equal(userField(access, format, 'responseTime'), undefined)
      assert.equal(aborted.message, 'POST /orders?x=1 aborted after 3.0ms')
      assert.equal(field(aborted, format, REQUEST_FIELDS.status), 499)
      assert.equal(levelOf(aborted, format), levelName('warn', format))
    })

    it('chooses a response line\'s level by status unless accessLevel is false', async () => {
      const line = { req: { method: 'GET', url: '/x', headers: {} }, res: { statusCode: 503, headers: {} }, responseTime: 1 }
      logger().info(line, 'request completed')
      logger({}, { accessLevel: false }).info(line, 'request completed')
      logger({}, { accessLevel: () => 'debug' }).info(line, 'custom message kept')
      const events = await pipeline.events(3)
      assert.deepEqual(events.map((e) => levelOf(e, format)), ['error', 'info', 'debug'].map((l) => levelName(l, format)))
      assert.equal(events[2]?.message, 'custom message kept')
    })
  })
}

describe('logstashDestination', () => {
  it('refuses a wrong handler or option, naming it', () => {
    assert.throws(() => logstashDestination({} as never), /logstashDestination handler must be an object with a log\(record\) method/)
    const handler = { log: () => {} }
    assert.throws(() => logstashDestination(handler, { messageKey: '' }), /messageKey must be a non-empty string, got ""/)
    assert.throws(() => logstashDestination(handler, { accessLevel: 'info' as never }), /accessLevel must be a function \(statusCode, aborted\) => level, or false, got "info"/)
    assert.throws(() => logstashDestination(handler, { levelMap: { audit: 'loud' as never } }), /levelMap.audit must be one of trace, debug, info, warn, error, fatal, got "loud"/)
  })

  it('never throws, whatever it is given or whatever the handler does', () => {
    const destination = logstashDestination({ log: () => { throw new Error('broken handler') } })
    assert.doesNotThrow(() => destination.write('{"level":30,"msg":"x"}\n'))
    assert.doesNotThrow(() => destination.write(undefined as never))
    const records: unknown[] = []
    const kept = logstashDestination({ log: (r) => records.push(r) })
    kept.write('not json\n{"level":30,"msg":"ok","time":1}\n[1,2]\n')
    assert.deepEqual(records.map((r) => (r as { message: string }).message), ['not json', 'ok', '[1,2]'])
  })
})
