import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { basename } from 'node:path'
import { ConfigurationError, EcsFormatter, type EcsFormatterOptions, type LogRecord, type RequestContext } from '@logstash-async/core'
import { assertEcsLine, leafPaths, valueAt } from '../../../../test/helpers/ecs-validate'

const TIME = Date.UTC(2024, 4, 6, 7, 8, 9, 10)

function format (options: EcsFormatterOptions, record: Partial<LogRecord> = {}, context?: RequestContext): Record<string, unknown> {
  const line = new EcsFormatter({ apmIntegration: false, ...options }).format({ level: 'info', message: 'hello', time: TIME, ...record }, context)
  return assertEcsLine(line)
}

describe('EcsFormatter', () => {
  describe('fields every event carries', () => {
    const cases: { name: string, options?: EcsFormatterOptions, record?: Partial<LogRecord>, expect: Record<string, unknown> }[] = [
      { name: '@timestamp in UTC with milliseconds', expect: { '@timestamp': '2024-05-06T07:08:09.010Z' } },
      { name: 'log.level as the record level', record: { level: 'warn' }, expect: { 'log.level': 'warn' } },
      { name: 'message', record: { message: 'order placed' }, expect: { message: 'order placed' } },
      { name: 'ecs.version 8.11.0 by default', expect: { 'ecs.version': '8.11.0' } },
      { name: 'ecs.version as configured', options: { ecsVersion: '8.17.0' }, expect: { 'ecs.version': '8.17.0' } },
      { name: 'host.hostname and host.name', expect: { 'host.hostname': hostname(), 'host.name': hostname() } },
      { name: 'process.pid, process.executable, process.title', expect: { 'process.pid': process.pid, 'process.executable': process.execPath, 'process.title': process.title } },
      { name: 'process.name as the executable\'s name, process.thread.id and .name', expect: { 'process.name': basename(process.execPath), 'process.thread.id': 0, 'process.thread.name': 'main' } },
      { name: '@metadata from the metadata option', options: { metadata: { index: 'shop-logs', pipeline: 'p1' } }, expect: { '@metadata': { index: 'shop-logs', pipeline: 'p1' } } },
      { name: 'a tags field as tags, after the options\' and the record\'s', options: { tags: ['a'] }, record: { tags: ['b'], fields: { tags: ['audit', 'a'] } }, expect: { tags: ['a', 'b', 'audit'], 'labels.tags': undefined, 'extra.tags': undefined } },
      { name: 'a single-string tags field as one tag', record: { fields: { tags: 'audit' } }, expect: { tags: ['audit'] } },
      { name: 'log.logger from the logger name', record: { logger: 'billing' }, expect: { 'log.logger': 'billing' } },
      { name: 'service fields from the options', options: { serviceName: 'shop', serviceVersion: '1.2.3', serviceEnvironment: 'production', serviceNodeName: 'shop-1' }, expect: { 'service.name': 'shop', 'service.version': '1.2.3', 'service.environment': 'production', 'service.node.name': 'shop-1' } },
      { name: 'event.dataset defaulting to <service.name>.log', options: { serviceName: 'shop' }, expect: { 'event.dataset': 'shop.log' } },
      { name: 'event.dataset as configured', options: { serviceName: 'shop', eventDataset: 'shop.audit' }, expect: { 'event.dataset': 'shop.audit' } },
      { name: 'no service or event.dataset without a service name', expect: { service: undefined, event: undefined } },
      { name: 'event.module as configured', options: { eventModule: 'billing' }, expect: { 'event.module': 'billing' } },
      { name: 'tags from the options and the record, once each', options: { tags: ['a', 'b'] }, record: { tags: ['b', 'c'] }, expect: { tags: ['a', 'b', 'c'] } },
      { name: 'no tags when there are none', expect: { tags: undefined } }
    ]
    for (const { name, options = {}, record = {}, expect } of cases) {
      it(`writes ${name}`, () => {
        const event = format(options, record)
        for (const [path, value] of Object.entries(expect)) assert.deepEqual(valueAt(event, path), value, path)
      })
    }

    it('writes @timestamp, log.level and message first, in that order', () => {
      const event = format({ serviceName: 'shop' }, { fields: { a: 1 }, logger: 'x' })
      assert.deepEqual(Object.keys(event).slice(0, 4), ['@timestamp', 'log.level', 'message', 'ecs'])
    })

    it('writes every level under its own name', () => {
      for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
        assert.equal(format({}, { level })['log.level'], level)
      }
    })

    it('writes an unknown level as info rather than failing', () => {
      assert.equal(format({}, { level: 'loud' as never })['log.level'], 'info')
    })
  })

  describe('user fields', () => {
    const cases: { name: string, fields: Record<string, unknown>, expect: Record<string, unknown>, absent?: string[] }[] = [
      { name: 'a string lands in labels', fields: { orderId: 'A-1' }, expect: { labels: { orderId: 'A-1' } } },
      { name: 'numbers and booleans land in labels as strings (ECS labels are keywords)', fields: { count: 3, paid: true, big: 10n }, expect: { labels: { count: '3', paid: 'true', big: '10' } } },
      { name: 'null lands in labels as null', fields: { coupon: null }, expect: { labels: { coupon: null } } },
      { name: 'label keys have . * and \\ replaced by _', fields: { 'order.id': 'x', 'a*b': 'y', 'c\\d': 'z' }, expect: { labels: { order_id: 'x', a_b: 'y', c_d: 'z' } } },
      { name: 'an object lands under the extra prefix', fields: { cart: { items: 2, currency: 'EUR' } }, expect: { extra: { cart: { items: 2, currency: 'EUR' } } } },
      { name: 'an array lands under the extra prefix', fields: { skus: ['a', 'b'] }, expect: { extra: { skus: ['a', 'b'] } } },
      { name: 'a dotted non-scalar lands nested under the extra prefix', fields: { 'cart.items': [1, 2] }, expect: { extra: { cart: { items: [1, 2] } } } },
      { name: 'a dotted ECS name lands there, nested', fields: { 'user.id': 'u-1', 'event.action': 'checkout' }, expect: { 'user.id': 'u-1', 'event.action': 'checkout', user: { id: 'u-1' } }, absent: ['labels'] },
      { name: 'a dotted ECS name keeps its type', fields: { 'http.response.status_code': 404 }, expect: { http: { response: { status_code: 404 } } } },
      { name: 'an ECS field set given as an object merges into it', fields: { user: { id: 'u-1', roles: ['admin'] } }, expect: { 'user.id': 'u-1', 'user.roles': ['admin'] } },
      { name: 'an ECS field set name holding a scalar becomes a label', fields: { user: 'bob', service: 'billing' }, expect: { labels: { user: 'bob', service: 'billing' }, 'service.name': 'shop' } },
      { name: 'the reserved log.level becomes a label, never a nested field', fields: { 'log.level': 'loud' }, expect: { 'log.level': 'info', labels: { log_level: 'loud' } } },
      { name: 'a log object cannot nest log.level either', fields: { log: { level: 'loud', origin: { function: 'f' } } }, expect: { 'log.level': 'info', 'log.origin.function': 'f', labels: { log_level: 'loud' } } },
      { name: 'ecs.version cannot be overwritten', fields: { 'ecs.version': '1.0.0' }, expect: { 'ecs.version': '8.11.0', labels: { ecs_version: '1.0.0' } } },
      { name: 'a labels object lands in labels, keys sanitized', fields: { labels: { 'a.b': 1, c: 'd' } }, expect: { labels: { a_b: '1', c: 'd' } } },
      { name: 'an ECS field merges with the static ones', fields: { 'service.type': 'api', 'event.action': 'x' }, expect: { 'service.name': 'shop', 'service.type': 'api', 'event.dataset': 'shop.log', 'event.action': 'x' } },
      { name: 'a field named message does not replace the message', fields: { message: 'other' }, expect: { message: 'hello', labels: { message: 'other' } } },
      { name: 'undefined and function values are left out', fields: { a: undefined, b: () => 1 }, expect: {}, absent: ['labels', 'extra'] },
      { name: 'Dates land under the extra prefix in ISO form', fields: { when: new Date(TIME) }, expect: { extra: { when: '2024-05-06T07:08:09.010Z' } } },
      { name: 'empty path segments are dropped', fields: { 'user..id': 'u' }, expect: { 'user.id': 'u' } }
    ]
    for (const { name, fields, expect, absent = [] } of cases) {
      it(name, () => {
        const event = format({ serviceName: 'shop' }, { fields })
        for (const [path, value] of Object.entries(expect)) assert.deepEqual(valueAt(event, path), value, path)
        for (const path of absent) assert.equal(valueAt(event, path), undefined, path)
      })
    }

    it('puts non-scalar fields under the configured prefix', () => {
      const event = format({ extraPrefix: 'app' }, { fields: { cart: { n: 1 } } })
      assert.deepEqual(event.app, { cart: { n: 1 } })
      assert.equal(event.extra, undefined)
    })

    it('places static extra fields like record fields, the record winning', () => {
      const event = format({ extra: { team: 'core', 'cloud.region': 'eu-1', config: { a: 1 } } }, { fields: { team: 'billing', config: { b: 2 } } })
      assert.deepEqual(event.labels, { team: 'billing' })
      assert.equal(valueAt(event, 'cloud.region'), 'eu-1')
      assert.deepEqual(event.extra, { config: { a: 1, b: 2 } })
    })

    it('never nests a dotted field from a child logger and a call into two copies of one object', () => {
      const event = format({}, { fields: { 'user.id': 'a', user: { name: 'b' }, 'user.email': 'c' } })
      assert.deepEqual(event.user, { id: 'a', name: 'b', email: 'c' })
    })

    it('does not change the objects the application passed', () => {
      const user = { id: 'u' }
      const cart = { items: [1] }
      const fields = { user, cart, 'cart.total': 3 }
      format({ redact: ['cart.items'] }, { fields })
      assert.deepEqual(user, { id: 'u' })
      assert.deepEqual(cart, { items: [1] })
      assert.deepEqual(Object.keys(fields), ['user', 'cart', 'cart.total'])
    })

    it('makes cycles, BigInts, Maps and throwing getters safe instead of failing', () => {
      const cyclic: Record<string, unknown> = { name: 'loop' }
      cyclic.self = cyclic
      const hostile = { get boom (): never { throw new Error('getter') } }
      const event = format({}, { fields: { cyclic, amounts: new Map([['a', 1n]]), hostile } })
      assert.deepEqual(event.extra, { cyclic: { name: 'loop', self: '[Circular]' }, amounts: { a: '1' }, hostile: { boom: '[Getter threw: Error: getter]' } })
    })

    it('keeps the other fields when reading one field throws', () => {
      const fields = Object.defineProperty({ ok: 'yes' }, 'bad', { enumerable: true, get () { throw new Error('nope') } })
      const event = format({}, { fields })
      assert.deepEqual(event.labels, { ok: 'yes', bad: '[Getter threw: Error: nope]' })
    })
  })

  describe('errors', () => {
    it('writes error.type, error.message and error.stack_trace with the cause chain', () => {
      const cause = new RangeError('inner problem')
      const error = new TypeError('outer problem', { cause })
      const event = format({}, { level: 'error', error })
      assert.equal(valueAt(event, 'error.type'), 'TypeError')
      assert.equal(valueAt(event, 'error.message'), 'outer problem')
      const stack = valueAt(event, 'error.stack_trace') as string
      assert.ok(stack.startsWith('TypeError: outer problem\n    at '), stack)
      assert.match(stack, /\nCaused by: RangeError: inner problem\n {4}at /)
    })

    it('writes error.code when the error has one', () => {
      const error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
      assert.equal(valueAt(format({}, { error }), 'error.code'), 'ECONNREFUSED')
    })

    it('writes a custom error name as error.type', () => {
      class PaymentError extends Error {}
      assert.equal(valueAt(format({}, { error: new PaymentError('declined') }), 'error.type'), 'PaymentError')
    })

    it('writes a thrown string as its message with type string', () => {
      const event = format({}, { error: 'plain failure' })
      assert.equal(valueAt(event, 'error.type'), 'string')
      assert.equal(valueAt(event, 'error.message'), 'plain failure')
    })

    it('writes the errors of an AggregateError in the stack trace', () => {
      const error = new AggregateError([new Error('first'), new Error('second')], 'both failed')
      const stack = valueAt(format({}, { error }), 'error.stack_trace') as string
      assert.match(stack, /\[errors\[0\]\] Error: first/)
      assert.match(stack, /\[errors\[1\]\] Error: second/)
    })

    it('writes no error fields without an error', () => {
      assert.equal(format({}).error, undefined)
    })
  })

  describe('robustness', () => {
    it('shortens an event over maxEventBytes into a valid ECS event that says so', () => {
      const formatter = new EcsFormatter({ apmIntegration: false, maxEventBytes: 1024, serviceName: 'shop' })
      const line = formatter.format({ level: 'info', message: 'x'.repeat(5000), time: TIME, fields: { blob: { text: 'y'.repeat(5000) }, a: 'b' } })
      assert.ok(Buffer.byteLength(line) <= 1024, `${Buffer.byteLength(line)} bytes`)
      const event = assertEcsLine(line)
      assert.equal(valueAt(event, 'service.name'), 'shop')
      assert.deepEqual(valueAt(event, 'extra.truncated.max_event_bytes'), 1024)
    })

    it('keeps only @timestamp, log.level, an empty message and ecs when even the identifying fields do not fit', () => {
      const formatter = new EcsFormatter({ apmIntegration: false, maxEventBytes: 512, tags: ['t'.repeat(2000)] })
      const line = formatter.format({ level: 'warn', message: 'm'.repeat(100), time: TIME })
      assert.ok(Buffer.byteLength(line) <= 512, `${Buffer.byteLength(line)} bytes`)
      const event = assertEcsLine(line)
      assert.deepEqual(Object.keys(event), ['@timestamp', 'log.level', 'message', 'ecs', 'extra'])
      assert.equal(event.message, '')
      assert.equal(valueAt(event, 'extra.truncated.max_event_bytes'), 512)
    })

    it('has a fallback that is still a valid ECS event when a record cannot be formatted', () => {
      const record = { level: 'error', time: TIME, get message (): string { throw new Error('hostile message') } } as unknown as LogRecord
      const formatter = new EcsFormatter({ apmIntegration: false, metadata: { index: 'app' } })
      assert.throws(() => formatter.format(record), /hostile message/)
      const event = assertEcsLine(formatter.fallback(record, new Error('hostile message')))
      assert.equal(event.message, '[Getter threw: Error: hostile message]')
      assert.equal(event['log.level'], 'error')
      assert.deepEqual(event['@metadata'], { index: 'app' })
      assert.deepEqual(event.labels, { format_error: 'hostile message' })
    })

    it('writes only JSON-safe values: every leaf is a string, number, boolean, null or array', () => {
      const event = format({}, { fields: { n: Number.NaN, deep: { inf: Infinity, list: [Number.NaN] } } })
      for (const path of leafPaths(event)) {
        const value = valueAt(event, path)
        assert.ok(value === null || ['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value), path)
      }
      assert.deepEqual(event.extra, { deep: { inf: null, list: [null] } })
      assert.deepEqual(event.labels, { n: 'NaN' })
    })
  })

  describe('options', () => {
    const bad: { options: Record<string, unknown>, message: RegExp }[] = [
      { options: { ecsVersion: '' }, message: /ecsVersion must be a non-empty string, got ""/ },
      { options: { serviceName: 42 }, message: /serviceName must be a non-empty string, got 42/ },
      { options: { extraPrefix: 'user' }, message: /extraPrefix must be a name that is not an ECS field set or base field, got "user"/ },
      { options: { extraPrefix: 'labels' }, message: /extraPrefix must be a name that is not an ECS field set or base field/ },
      { options: { headers: 'accept' }, message: /headers must be an array of strings, got "accept"/ },
      { options: { redact: [1] }, message: /redact must be an array of strings, got an array/ },
      { options: { maxEventBytes: 100 }, message: /maxEventBytes must be an integer >= 512, got 100/ },
      { options: { metadata: 'index' }, message: /metadata must be an object, got "index"/ },
      { options: { tags: [true] }, message: /tags must be an array of strings/ },
      { options: { apmIntegration: 'yes' }, message: /apmIntegration must be true or false, got "yes"/ },
      { options: { elasticApm: {} }, message: /elasticApm must be an Elastic APM agent/ },
      { options: { extra: [] }, message: /extra must be an object, got an array/ }
    ]
    for (const { options, message } of bad) {
      it(`rejects ${JSON.stringify(options)} with a ConfigurationError naming the option`, () => {
        assert.throws(() => new EcsFormatter(options as EcsFormatterOptions), (err: unknown) => err instanceof ConfigurationError && message.test(err.message))
      })
    }

    it('adds log.origin when callsite is on', () => {
      const event = format({ callsite: true })
      assert.equal(typeof valueAt(event, 'log.origin.file.line'), 'number')
      assert.match(valueAt(event, 'log.origin.file.name') as string, /ecs\.test\.[jt]s$/)
    })
  })
})
