import assert from 'node:assert/strict'
import { LogstashFormatter, type LogRecord, type RequestContext } from '@logstash-async/core'

const TIME = Date.UTC(2026, 10, 24, 21, 5, 9, 7)

function format (formatter: LogstashFormatter, record: Partial<LogRecord> = {}, context?: RequestContext): Record<string, unknown> {
  return JSON.parse(formatter.format({ level: 'info', message: 'hello', time: TIME, ...record }, context)) as Record<string, unknown>
}

const extra = (event: Record<string, unknown>): Record<string, unknown> => event.extra as Record<string, unknown>

describe('LogstashFormatter: parity with python-logstash-async', () => {
  describe('per-event tags, at the top level', () => {
    it('writes a tags field to the top-level tags, after the formatter\'s, each once', () => {
      const event = format(new LogstashFormatter({ tags: ['app', 'prod'] }), { fields: { tags: ['audit', 'prod'], orderId: 1 } })
      assert.deepEqual(event.tags, ['app', 'prod', 'audit'])
      assert.equal(extra(event).tags, undefined)
      assert.equal(extra(event).orderId, 1)
    })

    it('takes a single string as one tag, and tags from the record, the request and the call', () => {
      const context: RequestContext = { id: 'r', fields: { tags: 'tenant-acme' } }
      const event = format(new LogstashFormatter(), { tags: ['from-record'], fields: { tags: 'audit' } }, context)
      assert.deepEqual(event.tags, ['from-record', 'tenant-acme', 'audit'])
    })

    it('writes a tag that is not a string as text', () => {
      assert.deepEqual(format(new LogstashFormatter(), { fields: { tags: [1, { a: 2 }, null] } }).tags, ['1', '{"a":2}', 'null'])
    })

    it('keeps a tags field that is neither a string nor an array as an ordinary field', () => {
      assert.deepEqual(extra(format(new LogstashFormatter(), { fields: { tags: { a: 1 } } })).tags, { a: 1 })
      assert.deepEqual(format(new LogstashFormatter({ extraPrefix: '' }), { fields: { tags: { a: 1 } } }).field_tags, { a: 1 })
    })
  })

  describe('stack_trace', () => {
    it('is the stack, then each cause after "Caused by: ", ending in a newline as a Python traceback does', () => {
      const inner = new TypeError('inner')
      const outer = new Error('outer', { cause: inner })
      const stack = extra(format(new LogstashFormatter(), { error: outer })).stack_trace as string
      assert.equal(stack, `${outer.stack as string}\nCaused by: ${inner.stack as string}\n`)
    })

    it('writes an AggregateError\'s errors after its stack, indented', () => {
      const one = new Error('one')
      const aggregate = new AggregateError([one, 'two'], 'many')
      const stack = extra(format(new LogstashFormatter(), { error: aggregate })).stack_trace as string
      assert.equal(stack, `${aggregate.stack as string}\n[errors[0]] ${(one.stack as string).replace(/\n/g, '\n    ')}\n[errors[1]] two\n`)
    })
  })

  describe('field_<name>: a field you log never takes the place of one the formatter writes', () => {
    it('renames a field named like an automatic field of the same event', () => {
      const context: RequestContext = { id: 'req-1', method: 'GET', statusCode: 200 }
      const fields = extra(format(new LogstashFormatter(), { error: new Error('x'), fields: { stack_trace: 'mine', req_method: 'POST', status_code: 500 } }, context))
      assert.match(fields.stack_trace as string, /^Error: x/)
      assert.equal(fields.field_stack_trace, 'mine')
      assert.equal(fields.req_method, 'GET')
      assert.equal(fields.field_req_method, 'POST')
      assert.equal(fields.status_code, 200)
      assert.equal(fields.field_status_code, 500)
    })

    it('renames a field named like a static field, in every event', () => {
      const fields = extra(format(new LogstashFormatter({ extra: { app: 'shop' } }), { fields: { interpreter: 'mine', app: 'other', logger_name: 'fake' } }))
      assert.equal(fields.field_interpreter, 'mine')
      assert.equal(fields.app, 'shop')
      assert.equal(fields.field_app, 'other')
      assert.equal(fields.field_logger_name, 'fake')
    })

    it('keeps the name when the formatter writes no such field in that event', () => {
      assert.equal(extra(format(new LogstashFormatter(), { fields: { status_code: 502 } })).status_code, 502)
    })

    it('writes a field named like a core field inside extra, where it does not collide', () => {
      const event = format(new LogstashFormatter(), { fields: { host: 'other', message: 'other' } })
      assert.equal(extra(event).host, 'other')
      assert.equal(extra(event).message, 'other')
      assert.equal(event.message, 'hello')
    })

    it('lets the record\'s fields win over the request context\'s of the same name', () => {
      const fields = extra(format(new LogstashFormatter(), { fields: { tenant: 'from-call' } }, { id: 'r', fields: { tenant: 'from-context' } }))
      assert.equal(fields.tenant, 'from-call')
      assert.equal(fields.field_tenant, undefined)
    })
  })

  it('leaves out a request field the adapter does not know, rather than writing null', () => {
    const fields = extra(format(new LogstashFormatter(), {}, { id: 'req-1', method: 'GET' }))
    for (const name of ['req_referer', 'req_user', 'req_useragent', 'req_remote_address', 'req_forwarded_for']) {
      assert.ok(!Object.hasOwn(fields, name), name)
    }
  })

  it('has a fallback event with the core fields and format_error in extra', () => {
    const formatter = new LogstashFormatter({ tags: ['app'] })
    const event = JSON.parse(formatter.fallback({ level: 'warn', message: 'survives', time: TIME }, new Error('formatter bug'))) as Record<string, unknown>
    assert.equal(event.message, 'survives')
    assert.equal(event.level, 'WARNING')
    assert.deepEqual(event.tags, ['app'])
    assert.equal(extra(event).format_error, 'formatter bug')
  })
})
