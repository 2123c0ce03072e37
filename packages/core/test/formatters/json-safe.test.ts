import assert from 'node:assert/strict'
import { LogstashFormatter, toJsonSafe } from '@logstash-async/core'

function roundTrip (value: unknown): unknown {
  const line = new LogstashFormatter().format({ level: 'info', message: 'm', time: 0, fields: { value } })
  return ((JSON.parse(line) as Record<string, Record<string, unknown>>).extra as Record<string, unknown>).value
}

describe('JSON-safe conversion of field values', () => {
  const circular: Record<string, unknown> = { name: 'loop' }
  circular.self = circular
  const throwing = { ok: 1, get bad (): never { throw new Error('getter exploded') } }
  const hostileProxy = new Proxy({}, { ownKeys () { throw new Error('no keys for you') } })
  const cause = new Error('inner')
  const err = Object.assign(new TypeError('outer', { cause }), { code: 'E_OUTER' })

  const cases: [string, unknown, (converted: unknown) => void][] = [
    ['a circular reference', circular, (v) => assert.deepEqual(v, { name: 'loop', self: '[Circular]' })],
    ['a BigInt', 12345678901234567890n, (v) => assert.equal(v, '12345678901234567890')],
    ['NaN and Infinity', [Number.NaN, Infinity, -Infinity], (v) => assert.deepEqual(v, [null, null, null])],
    ['a Date', new Date(Date.UTC(2020, 0, 2)), (v) => assert.equal(v, '2020-01-02T00:00:00.000Z')],
    ['an invalid Date', new Date(Number.NaN), (v) => assert.equal(v, null)],
    ['a Map', new Map<unknown, unknown>([['a', 1], [2, 'b']]), (v) => assert.deepEqual(v, { a: 1, 2: 'b' })],
    ['a Set', new Set([1, 'two']), (v) => assert.deepEqual(v, [1, 'two'])],
    ['a Buffer', Buffer.from('hi'), (v) => assert.equal(v, 'aGk=')],
    ['a typed array', new Uint8Array([1, 2, 3]), (v) => assert.deepEqual(v, [1, 2, 3])],
    ['a RegExp', /ab+c/gi, (v) => assert.equal(v, '/ab+c/gi')],
    ['a Symbol', Symbol('s'), (v) => assert.equal(v, 'Symbol(s)')],
    ['an Error with a cause and a code', err, (v) => {
      const e = v as Record<string, unknown>
      assert.equal(e.type, 'TypeError')
      assert.equal(e.message, 'outer')
      assert.equal(e.code, 'E_OUTER')
      assert.match(e.stack as string, /^TypeError: outer/)
      assert.equal((e.cause as Record<string, unknown>).message, 'inner')
    }],
    ['a throwing getter', throwing, (v) => assert.deepEqual(v, { ok: 1, bad: '[Getter threw: Error: getter exploded]' })],
    ['a Proxy whose ownKeys throws', hostileProxy, (v) => assert.match(v as string, /^\[Unserializable: Error: no keys for you\]$/)],
    ['a very deep object', (() => { let o: Record<string, unknown> = { leaf: true }; for (let i = 0; i < 50; i++) o = { o }; return o })(), (v) => {
      assert.ok(JSON.stringify(v).includes('[Object]'))
    }],
    ['a very long array', Array.from({ length: 5000 }, (_, i) => i), (v) => {
      const a = v as unknown[]
      assert.equal(a.length, 1001)
      assert.equal(a[1000], '[... 4000 more items]')
    }],
    ['a huge string', 'x'.repeat(200_000), (v) => assert.match(v as string, /^x{100000}\.\.\.\[100000 more characters\]$/)],
    ['undefined and functions inside objects', { a: undefined, f: () => 1, b: 2 }, (v) => assert.deepEqual(v, { b: 2 })],
    ['a class instance', new (class Point { x = 1; y = 2 })(), (v) => assert.deepEqual(v, { x: 1, y: 2 })],
    ['an object with toJSON', { toJSON: () => ({ replaced: true }) }, (v) => assert.deepEqual(v, { replaced: true })],
    ['a toJSON that throws', { toJSON: () => { throw new Error('toJSON broke') } }, (v) => assert.match(v as string, /toJSON broke/)]
  ]

  for (const [name, value, check] of cases) {
    it(`writes ${name} as valid JSON without losing the event`, () => {
      check(roundTrip(value))
    })
  }

  it('never throws, and returns JSON that parses, for a mix of everything', () => {
    const everything = Object.fromEntries(cases.map(([name, value]) => [name, value]))
    const safe = toJsonSafe(everything)
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(safe)))
  })
})
