import assert from 'node:assert/strict'
import { createLogger, type LogRecord, type LogSink } from '@logstash-async/core'

class RecordingSink implements LogSink {
  readonly records: LogRecord[] = []
  log (record: LogRecord): void { this.records.push(record) }
}

function record (call: (log: ReturnType<typeof createLogger>) => void): LogRecord {
  const sink = new RecordingSink()
  const log = createLogger({ handler: sink })
  assert.doesNotThrow(() => call(log))
  assert.equal(sink.records.length, 1, 'one record per call')
  return sink.records[0] as LogRecord
}

// Calls from untyped code: any argument list.
type Loose = (...args: unknown[]) => void

describe('log call forms', () => {
  describe('printf-style placeholders, as pino interpolates them', () => {
    const cases: [string, unknown[], string][] = [
      ['%s', ['user %s has %d items', 'alice', 3], 'user alice has 3 items'],
      ['%d and %f with numeric strings', ['%d / %f', '42.5', '1.25'], '42.5 / 1.25'],
      ['%i rounding down', ['%i %i', 7.9, -3.2], '7 -4'],
      ['%d with a BigInt', ['%d', 12345678901234567890n], '12345678901234567890'],
      ['%d with a Symbol', ['%d', Symbol('s')], 'NaN'],
      ['%j as JSON', ['%j', { a: [1, 'b'] }], '{"a":[1,"b"]}'],
      ['%o and %O as JSON, a string quoted', ['%o %O', 'text', { b: 2 }], '\'text\' {"b":2}'],
      ['%j of a cycle, marked', ['%j', (() => { const o: Record<string, unknown> = {}; o.o = o; return o })()], '{"o":"[Circular]"}'],
      ['%j of a function, by name', ['%j', function named () {}], 'named'],
      ['%s of an object, as JSON, never [object Object]', ['%s', { a: 1 }], '{"a":1}'],
      ['%s of a Date, as its ISO time', ['at %s', new Date(0)], 'at 1970-01-01T00:00:00.000Z'],
      ['%s of an Error', ['%s', new TypeError('bad')], 'TypeError: bad'],
      ['%% as %', ['100%% of %s', 'it'], '100% of it'],
      ['a placeholder without its argument, as written', ['%s and %s', 'one'], 'one and %s'],
      ['an unknown placeholder, as written', ['%x %s', 'y'], '%x y'],
      ['no arguments: the message untouched, %% included', ['100%% sure'], '100%% sure']
    ]
    for (const [name, args, message] of cases) {
      it(`writes ${name}`, () => {
        assert.equal(record((log) => (log.info as Loose)(...args)).message, message)
      })
    }

    it('keeps a plain object after the placeholders\' arguments as the fields', () => {
      const r = record((log) => log.warn('user %s has %d items', 'alice', 3, { requestId: 'r-1' }))
      assert.equal(r.message, 'user alice has 3 items')
      assert.deepEqual(r.fields, { requestId: 'r-1' })
    })

    it('lets a placeholder take an object, as pino does', () => {
      const r = record((log) => log.info('user %j', { id: 7 }))
      assert.equal(r.message, 'user {"id":7}')
      assert.equal(r.fields, undefined)
    })

    it('appends arguments no placeholder took, as console.log does (pino drops them)', () => {
      assert.equal(record((log) => (log.info as Loose)('count', 3, 'items', [1, 2])).message, 'count 3 items [1,2]')
    })
  })

  describe('argument orders', () => {
    it('takes pino\'s order: the fields first, then the message and its arguments', () => {
      const r = record((log) => log.info({ orderId: 42 }, 'order %s placed', 'A-1'))
      assert.equal(r.message, 'order A-1 placed')
      assert.deepEqual(r.fields, { orderId: 42 })
    })

    it('takes the fields alone, with an empty message', () => {
      const r = record((log) => log.info({ orderId: 42 }))
      assert.equal(r.message, '')
      assert.deepEqual(r.fields, { orderId: 42 })
    })

    it('takes an err in pino\'s first object as the error, its message as the message', () => {
      const err = new Error('declined')
      const r = record((log) => log.error({ err, orderId: 42 }))
      assert.equal(r.error, err)
      assert.equal(r.message, 'declined')
      assert.deepEqual(r.fields, { orderId: 42 })
    })

    it('takes an error first, with a message and its arguments, and fields', () => {
      const err = new Error('boom')
      const r = record((log) => log.error(err, 'charge %s failed', 'c-9', { orderId: 42 }))
      assert.equal(r.error, err)
      assert.equal(r.message, 'charge c-9 failed')
      assert.deepEqual(r.fields, { orderId: 42 })
    })

    it('takes an error after the message, as console.error users write it', () => {
      const err = new Error('boom')
      const r = record((log) => (log.error as Loose)('payment failed', err))
      assert.equal(r.error, err)
      assert.equal(r.message, 'payment failed')
    })

    it('takes a class instance (a DTO) as fields, and a Date or an array as a value', () => {
      class Order { constructor (readonly id = 1) {} }
      assert.deepEqual(record((log) => log.info('x', new Order() as unknown as Record<string, unknown>)).fields, new Order())
      assert.equal(record((log) => (log.info as Loose)('at', new Date(0))).message, 'at 1970-01-01T00:00:00.000Z')
      assert.equal(record((log) => (log.info as Loose)('list', [1, 2])).message, 'list [1,2]')
    })

    it('takes the same forms through log(level, ...)', () => {
      const r = record((log) => log.log('warn', { a: 1 }, 'disk %d%% full', 91))
      assert.equal(r.level, 'warn')
      assert.equal(r.message, 'disk 91% full')
      assert.deepEqual(r.fields, { a: 1 })
    })
  })

  describe('messages that are not strings', () => {
    const cases: [string, unknown, string][] = [
      ['a number', 42, '42'],
      ['a BigInt', 10n, '10'],
      ['a Symbol', Symbol('event'), 'Symbol(event)'],
      ['null', null, 'null'],
      ['undefined', undefined, ''],
      ['an array', [1, { a: 2 }], '[1,{"a":2}]'],
      ['a Date', new Date(0), '1970-01-01T00:00:00.000Z'],
      ['a Map', new Map([['a', 1]]), '{"a":1}']
    ]
    for (const [name, value, message] of cases) {
      it(`writes ${name} sensibly`, () => {
        assert.equal(record((log) => (log.info as Loose)(value)).message, message)
      })
    }

    it('takes an object that cannot even be inspected (a revoked Proxy) as fields, for the formatter to mark', () => {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      const r = record((log) => (log.info as Loose)(proxy, 'still logged'))
      assert.equal(r.message, 'still logged')
      assert.equal(r.fields, proxy)
    })
  })
})
