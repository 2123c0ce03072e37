import assert from 'node:assert/strict'
import { createLogger, LogstashHandler, type LogRecord } from '@logstash-async/core'
import { TcpReceiver } from '../helpers/tcp-receiver'

function deeplyNested (depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { bottom: true }
  for (let i = 0; i < depth; i++) value = { next: value }
  return value
}

function circular (): Record<string, unknown> {
  const parent: Record<string, unknown> = { name: 'parent', children: [] }
  const child = { name: 'child', parent }
  ;(parent.children as unknown[]).push(child, child)
  parent.self = parent
  return parent
}

function errorWithCauses (): Error {
  const root = new TypeError('root cause')
  const middle = new Error('middle', { cause: root })
  const top = new RangeError('top', { cause: middle })
  ;(root as { cause?: unknown }).cause = top // a cause chain that loops
  return top
}

// Every value a caller could hand over by mistake, and some nobody should.
const BAD_VALUES: Record<string, () => unknown> = {
  circular,
  bigint: () => 12345678901234567890123456789n,
  errorWithCause: () => new Error('outer', { cause: new Error('inner', { cause: 'a string cause' }) }),
  errorWithLoopingCause: errorWithCauses,
  aggregateError: () => new AggregateError([new Error('one'), new Error('two')], 'many'),
  date: () => new Date(Date.UTC(2024, 1, 29, 12, 30)),
  invalidDate: () => new Date(Number.NaN),
  map: () => new Map<unknown, unknown>([['key', 1], [{ object: 'key' }, new Set([1])], [3n, 'bigint key']]),
  set: () => new Set<unknown>([1, 'two', { three: 3 }, new Date(0)]),
  buffer: () => Buffer.from('binary \x00\xff data'),
  typedArrays: () => ({ u8: new Uint8Array([1, 2, 3]), f64: new Float64Array([1.5, Number.NaN, Infinity]), big: new BigInt64Array([1n]) }),
  arrayBuffer: () => new ArrayBuffer(8),
  dataView: () => new DataView(new ArrayBuffer(4)),
  notFinite: () => ({ nan: Number.NaN, infinity: Infinity, negative: -Infinity, negativeZero: -0 }),
  throwingGetter: () => ({ ok: 1, get boom (): never { throw new Error('getter exploded') } }),
  throwingToJSON: () => ({ toJSON (): never { throw new Error('toJSON exploded') } }),
  proxyWithThrowingOwnKeys: () => new Proxy({}, { ownKeys () { throw new Error('ownKeys exploded') } }),
  proxyWithThrowingGet: () => new Proxy({ a: 1 }, { get () { throw new Error('get exploded') } }),
  revokedProxy: () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy },
  nullPrototype: () => Object.assign(Object.create(null) as object, { a: 1 }),
  classInstance: () => new (class Point { constructor (readonly x = 1, readonly y = 2) {} })(),
  symbolsAndFunctions: () => ({ symbol: Symbol('s'), fn () {}, [Symbol('key')]: 1, undef: undefined }),
  promise: () => Promise.resolve(1),
  weakMap: () => new WeakMap(),
  regexp: () => /a+b/gi,
  loneSurrogate: () => 'half \ud800 pair',
  veryDeep: () => deeplyNested(10_000),
  // Past the formatter's limits (1000 keys and items, 100,000 characters, depth 10).
  veryWideObject: () => Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, i])),
  smallArray: () => [1, 'two', { three: 3 }],
  veryLongArray: () => Array.from({ length: 5000 }, (_, i) => i),
  hugeString: () => 'x'.repeat(1_000_000)
}

// Records no typed caller can build, handed straight to the handler.
const BAD_RECORDS: Record<string, () => LogRecord> = {
  unknownLevel: () => ({ level: 'verbose', message: 'unknown level' }) as unknown as LogRecord,
  nonStringMessage: () => ({ level: 'info', message: { an: 'object' } }) as unknown as LogRecord,
  messageWithThrowingToString: () => ({ level: 'info', message: { toString () { throw new Error('no string') } } }) as unknown as LogRecord,
  invalidTime: () => ({ level: 'info', message: 'invalid time', time: Number.NaN }),
  fieldsProxy: () => ({ level: 'info', message: 'fields proxy', fields: new Proxy({}, { ownKeys () { throw new Error('fields ownKeys') } }) }),
  errorThatIsNot: () => ({ level: 'error', message: 'not an error', error: { message: 'plain object' } as Error }),
  nullFields: () => ({ level: 'info', message: 'null fields', fields: null }) as unknown as LogRecord,
  tagsNotArray: () => ({ level: 'info', message: 'tags', tags: 'not-an-array' }) as unknown as LogRecord,
  arrayFields: () => ({ level: 'info', message: 'array fields', fields: ['a', 'b'] }) as unknown as LogRecord,
  dateFields: () => ({ level: 'info', message: 'date fields', fields: new Date(0) }) as unknown as LogRecord
}

describe('bad input, end to end', () => {
  let receiver: TcpReceiver | undefined
  let handler: LogstashHandler | undefined

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
    receiver = handler = undefined
  })

  async function start (): Promise<{ receiver: TcpReceiver, handler: LogstashHandler }> {
    receiver = await TcpReceiver.start()
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 10, onError: () => {} })
    return { receiver, handler }
  }

  it('delivers every event carrying a hostile value as valid JSON, in order, none lost', async () => {
    const { receiver, handler } = await start()
    const log = createLogger({ handler })
    const cases = Object.entries(BAD_VALUES)
    const child = log.child({ component: 'bad-input' })
    const expected: string[] = []
    for (const [name, make] of cases) {
      // As a field, as the record's error, as the fields themselves, through a child logger.
      const calls: [string, () => void][] = [
        [`${name} as a field`, () => log.info(`${name} as a field`, { value: make() })],
        [`${name} as err`, () => log.error(`${name} as err`, { err: make() })],
        [`${name} as the fields`, () => log.info(`${name} as the fields`, make() as Record<string, unknown>)],
        [`${name} through a child`, () => child.warn(`${name} through a child`, make() as Record<string, unknown>)]
      ]
      for (const [message, call] of calls) {
        assert.doesNotThrow(call, message)
        expected.push(message)
      }
    }
    assert.equal(await handler.flush(), true)
    await receiver.waitForEvents(expected.length)
    assert.deepEqual(receiver.invalid, [])
    // A value that is not an object of fields (a BigInt, a Date...) is appended to the
    // message, as console.log does; the message itself comes first.
    assert.deepEqual(receiver.events.map((e, i) => String(e.message).startsWith(expected[i] as string) ? expected[i] : e.message), expected)
    assert.equal(handler.stats().dropped, 0)
  })

  it('delivers each malformed record as valid JSON, none lost', async () => {
    const { receiver, handler } = await start()
    const records = Object.entries(BAD_RECORDS)
    for (const [name, make] of records) assert.doesNotThrow(() => handler.log(make()), name)
    assert.equal(await handler.flush(), true)
    await receiver.waitForEvents(records.length)
    assert.deepEqual(receiver.invalid, [])
    assert.equal(receiver.events.length, records.length)
    assert.equal(handler.stats().dropped, 0)
  })

  it('never throws after close(), and counts those calls as dropped', async () => {
    const { handler } = await start()
    await handler.close()
    const log = createLogger({ handler })
    let calls = 0
    for (const [name, make] of Object.entries(BAD_VALUES)) {
      assert.doesNotThrow(() => log.warn(`after close ${name}`, { value: make() }), name)
      calls++
    }
    for (const [name, make] of Object.entries(BAD_RECORDS)) {
      assert.doesNotThrow(() => handler.log(make()), name)
      calls++
    }
    assert.equal(handler.stats().dropped, calls)
  })
})
