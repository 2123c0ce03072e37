import assert from 'node:assert/strict'
import { coreInternal } from '../../../../test/helpers/core-internal'
import { fuzzedFields, Random } from '../../../../test/helpers/fuzz-values'

const { copyUserFields } = coreInternal<typeof import('../../src/formatters/logstash-fields')>('formatters/logstash-fields')
const { routeFields } = coreInternal<typeof import('../../src/formatters/ecs-fields')>('formatters/ecs-fields')

const RESERVED = new Set(['interpreter', 'logger_name'])

/** The JSON of the event's fields, by the fast path (plain data not copied) or from copies read once. */
function fieldsJson (fields: Record<string, unknown>, readOnce: boolean, inRequest: boolean): string {
  const automatic = inRequest ? { req_method: 'GET', req_uri: '/' } : undefined
  const target = inRequest ? { ...automatic } : undefined
  return JSON.stringify(copyUserFields(fields, target, RESERVED, automatic, readOnce))
}

/** The JSON of where the ECS formatter routes the fields (ECS places, labels, extra, tags). */
function ecsJson (fields: Record<string, unknown>, readOnce: boolean): string {
  const parts: Parameters<typeof routeFields>[0] = { tree: undefined, labels: undefined, extra: undefined }
  routeFields(parts, fields, readOnce)
  return JSON.stringify({ ...parts, tags: parts.tags === undefined ? undefined : [...parts.tags] })
}

/** What the formatter writes: the fast path, or, when it throws (JSON.stringify, a getter), copies read once. */
function written (fields: Record<string, unknown>, inRequest: boolean): string {
  try {
    return fieldsJson(fields, false, inRequest)
  } catch {
    return fieldsJson(fields, true, inRequest)
  }
}

function ecsWritten (fields: Record<string, unknown>): string {
  try {
    return ecsJson(fields, false)
  } catch {
    return ecsJson(fields, true)
  }
}


function deep (levels: number): unknown {
  let value: unknown = 'leaf'
  for (let i = 0; i < levels; i++) value = { next: value }
  return value
}

// Values at and just past each limit, and the corners of what JSON.stringify writes.
const EDGES: Record<string, () => unknown> = {
  'a string at the length limit': () => 'x'.repeat(100_000),
  'a string past it': () => 'x'.repeat(100_001),
  'nesting at the depth limit': () => deep(9),
  'nesting past it': () => deep(11),
  'an array at the item limit': () => Array.from({ length: 1000 }, (_, i) => i),
  'an array past it': () => Array.from({ length: 1001 }, (_, i) => i),
  'an object at the key limit': () => Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])),
  'an object past it': () => Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])),
  'undefined, functions and symbols in an object': () => ({ a: undefined, f: () => 1, s: Symbol('s'), kept: 1 }),
  'undefined, functions and holes in an array': () => [undefined, () => 1, , 3], // eslint-disable-line no-sparse-arrays
  'NaN, Infinity and -0 nested': () => ({ list: [Number.NaN, -Infinity, -0], n: Number.NaN }),
  'an own __proto__ key': () => JSON.parse('{"__proto__": {"polluted": true}, "b": 1}') as unknown,
  'a null-prototype object': () => Object.assign(Object.create(null) as object, { a: 1, inner: Object.assign(Object.create(null) as object, { b: [2] }) }),
  'an own toJSON': () => ({ toJSON: () => 'replaced', hidden: 1 }),
  'an array subclass': () => { class List extends Array {} return List.from([1, 2]) },
  'a Date nested': () => ({ at: new Date(0) })
}

describe('plain data written where it is, exactly as from copies read once', () => {
  for (const inRequest of [false, true]) {
    const where = inRequest ? 'inside a request' : 'outside a request'
    for (const [name, make] of Object.entries(EDGES)) {
      it(`${where}: ${name}`, () => {
        const fields = { before: 1, value: make(), after: 'two' }
        assert.equal(written(fields, inRequest), fieldsJson(fields, true, inRequest))
      })
    }

    it(`${where}: 3,000 fuzzed field sets (seed 0x91a1)`, () => {
      const random = new Random(0x91a1)
      for (let n = 0; n < 3000; n++) {
        const fields = fuzzedFields(random, (k) => `f${k}`)
        if (random.next() < 0.1) fields.interpreter = 'reserved'
        assert.equal(written(fields, inRequest), fieldsJson(fields, true, inRequest), `field set ${n}: ${Object.keys(fields).join(', ')}`)
      }
    })
  }

  describe('ECS: the fields routed', () => {
    for (const [name, make] of Object.entries(EDGES)) {
      it(name, () => {
        const fields = { before: 1, value: make(), 'url.path': '/x', after: 'two' }
        assert.equal(ecsWritten(fields), ecsJson(fields, true))
      })
    }

    it('3,000 fuzzed field sets (seed 0xec5)', () => {
      const random = new Random(0xec5)
      for (let n = 0; n < 3000; n++) {
        const fields = fuzzedFields(random, (k) => random.next() < 0.2 ? `user.f${k}` : `f${k}`)
        assert.equal(ecsWritten(fields), ecsJson(fields, true), `field set ${n}: ${Object.keys(fields).join(', ')}`)
      }
    })
  })

  it('never returns fields that are an array as they are (untyped callers): their JSON is no object', () => {
    for (const fields of [[1, 2], Object.setPrototypeOf([1, 2], null) as unknown[]]) {
      const target = copyUserFields(fields as unknown as Record<string, unknown>, undefined, RESERVED, undefined, false)
      assert.notEqual(target, fields)
      assert.match(JSON.stringify(target), /^\{/)
    }
  })

  for (const inRequest of [false, true]) {
    it(`${inRequest ? 'inside' : 'outside'} a request: fields that are a Proxy whose get throws are written from copies, a marker in place`, () => {
      const fields = new Proxy({ a: 1, b: 2 }, { get (_t, key) { if (key === 'b') throw new Error('trap'); return 1 } })
      assert.equal(written(fields, inRequest), fieldsJson(fields, true, inRequest))
      assert.match(fieldsJson(fields, true, inRequest), /"b":"\[Getter threw: Error: trap\]"/)
    })
  }

  it('returns plain fields themselves, no copy, outside a request', () => {
    const fields = { orderId: 1, customer: { id: 2, tier: 'gold' }, items: ['a', 'b'] }
    assert.equal(copyUserFields(fields, undefined, RESERVED, undefined, false), fields)
  })

  it('keeps nested plain data where it is inside a request', () => {
    const customer = { id: 2, tier: 'gold' }
    const target = copyUserFields({ customer }, { req_method: 'GET' }, RESERVED, { req_method: 'GET' }, false)
    assert.equal(target.customer, customer)
  })
})
