import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { LogstashFormatter, type LogRecord, type RequestContext } from '@logstash-async/core'

const TIME = Date.UTC(2026, 10, 24, 21, 5, 9, 7)

function format (formatter: LogstashFormatter, record: Partial<LogRecord> = {}, context?: RequestContext): Record<string, unknown> {
  const line = formatter.format({ level: 'info', message: 'hello', time: TIME, ...record }, context)
  return JSON.parse(line) as Record<string, unknown>
}

function extra (event: Record<string, unknown>): Record<string, unknown> {
  return event.extra as Record<string, unknown>
}

describe('LogstashFormatter', () => {
  it('writes the core fields at the top level in python-logstash-async order', () => {
    const event = format(new LogstashFormatter({ tags: ['a'], metadata: { index: 'logs' } }))
    assert.deepEqual(Object.keys(event), ['@timestamp', '@version', 'host', 'level', 'logsource', 'message', 'pid', 'program', 'type', '@metadata', 'tags', 'extra'])
    assert.equal(event['@timestamp'], '2026-11-24T21:05:09.007Z')
    assert.equal(event['@version'], '1')
    assert.equal(event.host, hostname())
    assert.equal(event.logsource, hostname())
    assert.equal(event.pid, process.pid)
    assert.equal(event.program, process.argv[1])
    assert.equal(event.type, 'nodejs-logstash')
    assert.deepEqual(event['@metadata'], { index: 'logs' })
  })

  it('uses Python level names', () => {
    const formatter = new LogstashFormatter()
    const names = (['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const).map((level) => format(formatter, { level }).level)
    assert.deepEqual(names, ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'])
  })

  it('puts the process facts, logger name, static extra and fields into extra', () => {
    const event = format(new LogstashFormatter({ extra: { app: 'shop', env: 'prod' } }), { logger: 'billing', fields: { orderId: 42, items: [1, 2], customer: { id: 7 } } })
    const fields = extra(event)
    assert.equal(fields.logger_name, 'billing')
    assert.equal(typeof fields.logstash_async_version, 'string')
    assert.equal(fields.interpreter, process.execPath)
    assert.equal(fields.interpreter_version, process.version)
    assert.equal(fields.process_name, process.title)
    assert.equal(fields.thread_name, 'main')
    assert.equal(fields.app, 'shop')
    assert.equal(fields.env, 'prod')
    assert.equal(fields.orderId, 42)
    assert.deepEqual(fields.items, [1, 2])
    assert.deepEqual(fields.customer, { id: 7 })
  })

  it('writes extra fields at the top level with extraPrefix ""', () => {
    const event = format(new LogstashFormatter({ extraPrefix: '' }), { logger: 'x', fields: { orderId: 1 } })
    assert.equal(event.extra, undefined)
    assert.equal(event.logger_name, 'x')
    assert.equal(event.orderId, 1)
    assert.equal(Object.keys(event)[0], '@timestamp')
  })

  it('names the prefix object as configured', () => {
    const event = format(new LogstashFormatter({ extraPrefix: 'fields' }), { fields: { a: 1 } })
    assert.deepEqual((event.fields as Record<string, unknown>).a, 1)
  })

  it('keeps a record field from overwriting an automatic or core field', () => {
    const event = format(new LogstashFormatter({ extraPrefix: '' }), { logger: 'real', fields: { logger_name: 'fake', message: 'fake', host: 'fake' } })
    assert.equal(event.logger_name, 'real')
    assert.equal(event.message, 'hello')
    assert.equal(event.host, hostname())
    assert.equal(event.field_logger_name, 'fake')
    assert.equal(event.field_message, 'fake')
    assert.equal(event.field_host, 'fake')
  })

  it('merges record tags with the formatter tags, without duplicates', () => {
    const event = format(new LogstashFormatter({ tags: ['app', 'prod'] }), { tags: ['prod', 'audit'] })
    assert.deepEqual(event.tags, ['app', 'prod', 'audit'])
  })

  it('writes the error type and the whole stack with its causes', () => {
    const root = new RangeError('root cause')
    const err = new TypeError('outer', { cause: root })
    const fields = extra(format(new LogstashFormatter(), { level: 'error', error: err }))
    assert.equal(fields.error_type, 'TypeError')
    const stack = fields.stack_trace as string
    assert.ok(stack.startsWith('TypeError: outer\n'))
    assert.ok(stack.includes('\nCaused by: RangeError: root cause\n'))
  })

  it('writes a thrown non-Error as its string form', () => {
    const fields = extra(format(new LogstashFormatter(), { error: 'plain string' }))
    assert.equal(fields.error_type, 'string')
    assert.equal(fields.stack_trace, 'plain string\n')
  })

  it('adds the req_* fields of the active request context', () => {
    const context: RequestContext = {
      id: 'req-1',
      method: 'POST',
      url: '/orders?x=1',
      route: '/orders',
      protocol: 'https',
      host: 'shop.example',
      port: 8443,
      ip: '203.0.113.9',
      userAgent: 'curl/8',
      referer: 'https://ref.example/',
      user: 'alice',
      forwardedProto: 'https',
      forwardedFor: ['203.0.113.9', '10.0.0.1'],
      statusCode: 201,
      framework: { name: 'express', version: '5.1.0' },
      fields: { tenant: 'acme' }
    }
    const fields = extra(format(new LogstashFormatter(), {}, context))
    assert.deepEqual({
      req_method: fields.req_method,
      req_uri: fields.req_uri,
      req_route: fields.req_route,
      req_host: fields.req_host,
      req_remote_address: fields.req_remote_address,
      req_useragent: fields.req_useragent,
      req_referer: fields.req_referer,
      req_user: fields.req_user,
      req_forwarded_proto: fields.req_forwarded_proto,
      req_forwarded_for: fields.req_forwarded_for,
      request_id: fields.request_id,
      status_code: fields.status_code,
      express_version: fields.express_version,
      tenant: fields.tenant
    }, {
      req_method: 'POST',
      req_uri: 'https://shop.example:8443/orders?x=1',
      req_route: '/orders',
      req_host: 'shop.example',
      req_remote_address: '203.0.113.9',
      req_useragent: 'curl/8',
      req_referer: 'https://ref.example/',
      req_user: 'alice',
      req_forwarded_proto: 'https',
      req_forwarded_for: ['203.0.113.9', '10.0.0.1'],
      request_id: 'req-1',
      status_code: 201,
      express_version: '5.1.0',
      tenant: 'acme'
    })
  })

  it('adds no request field outside a request', () => {
    const fields = extra(format(new LogstashFormatter()))
    assert.ok(!Object.keys(fields).some((k) => k.startsWith('req_') || k === 'request_id'))
  })

  it('adds the access fields of an access event', () => {
    const fields = extra(format(new LogstashFormatter(), { access: { durationMs: 12.34567, statusCode: 404, responseBytes: 10, requestBytes: 3, aborted: false } }))
    assert.equal(fields.status_code, 404)
    assert.equal(fields.duration_ms, 12.346)
    assert.equal(fields.response_bytes, 10)
    assert.equal(fields.request_bytes, 3)
    assert.equal(fields.aborted, false)
  })

  it('escapes non-ASCII characters with ensureAscii', () => {
    const line = new LogstashFormatter({ ensureAscii: true }).format({ level: 'info', message: 'café ✓ 😀', time: TIME })
    assert.ok(/^[\x00-\x7f]*$/.test(line))
    assert.equal((JSON.parse(line) as Record<string, unknown>).message, 'café ✓ 😀')
  })

  it('keeps non-ASCII characters as they are by default', () => {
    const line = new LogstashFormatter().format({ level: 'info', message: 'café', time: TIME })
    assert.ok(line.includes('café'))
  })

  it('shortens an event larger than maxEventBytes and says so', () => {
    const formatter = new LogstashFormatter({ maxEventBytes: 2000 })
    const line = formatter.format({ level: 'info', message: 'm'.repeat(10_000), time: TIME, fields: { blob: 'x'.repeat(50_000), list: Array.from({ length: 5000 }, (_, i) => i) } })
    assert.ok(Buffer.byteLength(line) <= 2000, `${Buffer.byteLength(line)} bytes`)
    const event = JSON.parse(line) as Record<string, unknown>
    assert.equal(event['@timestamp'], '2026-11-24T21:05:09.007Z')
    assert.ok((event.message as string).startsWith('mmm'))
    assert.deepEqual(extra(event).truncated, { original_bytes: Buffer.byteLength(JSON.stringify(JSON.parse(new LogstashFormatter().format({ level: 'info', message: 'm'.repeat(10_000), time: TIME, fields: { blob: 'x'.repeat(50_000), list: Array.from({ length: 5000 }, (_, i) => i) } })))), max_event_bytes: 2000 })
  })

  it('leaves an event within maxEventBytes untouched', () => {
    const formatter = new LogstashFormatter({ maxEventBytes: 100_000 })
    const event = format(formatter, { fields: { a: 'b' } })
    assert.equal(extra(event).truncated, undefined)
  })

  it('adds func_name, line and path of the caller with callsite: true', () => {
    const formatter = new LogstashFormatter({ callsite: true })
    function namedCaller (): string { return formatter.format({ level: 'info', message: 'm', time: TIME }) }
    const fields = extra(JSON.parse(namedCaller()) as Record<string, unknown>)
    assert.match(fields.func_name as string, /namedCaller/)
    assert.match(fields.path as string, /logstash\.test\.(js|ts)$/)
    assert.equal(typeof fields.line, 'number')
  })

  it('formats timestamps right across second boundaries', () => {
    const formatter = new LogstashFormatter()
    // The same second again after another, a fraction of a millisecond, before 1970, and
    // years outside 0000-9999 (another shape, not cached).
    const times = [Date.UTC(2026, 0, 1, 0, 0, 0, 999), Date.UTC(2026, 0, 1, 0, 0, 1, 0), Date.UTC(2026, 0, 1, 0, 0, 1, 45), Date.UTC(1999, 11, 31, 23, 59, 59, 5),
      Date.UTC(2026, 0, 1, 0, 0, 1, 450), Date.UTC(2026, 0, 1, 0, 0, 2, 7) + 0.6, Date.UTC(1969, 11, 31, 23, 59, 59, 990) + 0.5, Date.UTC(10000, 0, 1, 0, 0, 0, 5), Date.UTC(-1, 11, 31, 23, 59, 59, 80)]
    for (const time of times) {
      assert.equal(format(formatter, { time })['@timestamp'], new Date(time).toISOString())
    }
  })

  it('rejects wrong options with a ConfigurationError naming the option', () => {
    assert.throws(() => new LogstashFormatter({ tags: 'x' as never }), { name: 'ConfigurationError', message: /^tags must be an array of strings, got "x"/ })
    assert.throws(() => new LogstashFormatter({ extraPrefix: 'message' }), { name: 'ConfigurationError', message: /^extraPrefix must be/ })
    assert.throws(() => new LogstashFormatter({ maxEventBytes: 10 }), { name: 'ConfigurationError', message: /^maxEventBytes must be an integer >= 512, got 10/ })
  })
})
