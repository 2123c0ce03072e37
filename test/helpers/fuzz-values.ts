/**
 * Seeded generators of the values a logging call can be handed, from the ordinary to the
 * hostile, for the fuzz test. Deterministic for a seed: a failure can be replayed.
 */

/** mulberry32: a small, good-enough PRNG; `next()` in [0, 1). */
export class Random {
  #state: number

  constructor (seed: number) {
    this.#state = seed >>> 0
  }

  next (): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int (max: number): number {
    return Math.floor(this.next() * max)
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }
}

// Made once: huge strings are expensive to build, not to log.
const MEGABYTES = 'm'.repeat(2 * 1024 * 1024)
const HUNDRED_KB_UNICODE = 'ü€😀'.repeat(30_000)

class Point { constructor (readonly x: number, readonly y: number) {} }
class Money { constructor (readonly cents: bigint) {} toJSON (): string { return `${this.cents} cents` } }
class BrokenDate extends Date { override toJSON (): string { throw new Error('date toJSON broke') } }
class CyclicDate extends Date {
  override toJSON (): string { const loop: Record<string, unknown> = { at: 'now' }; loop.self = loop; return loop as unknown as string }
}

/** A value that cannot be written as it is, or is written with a marker: the hostile ones. */
const HOSTILE: readonly ((random: Random) => unknown)[] = [
  () => { const o: Record<string, unknown> = { name: 'cycle' }; o.self = o; o.list = [o, { back: o }]; return o },
  () => 12345678901234567890123n,
  () => Symbol('sym'),
  () => new BrokenDate(0),
  () => new CyclicDate(0),
  () => new Date(Number.NaN),
  () => ({ toJSON () { throw new Error('toJSON broke') } }),
  () => ({ ok: 1, get boom (): never { throw new Error('getter broke') } }),
  () => { let reads = 0; return { get shifty (): unknown { return ++reads === 1 ? 'plain' : 10n } } },
  () => { let reads = 0; return { get shifty (): unknown { return ++reads === 1 ? { a: 1 } : new Map([['a', 1n]]) } } },
  () => new Proxy({}, { ownKeys () { throw new Error('ownKeys broke') } }),
  () => new Proxy({ a: 1 }, { get () { throw new Error('get broke') } }),
  () => { const { proxy, revoke } = Proxy.revocable({ a: 1 }, {}); revoke(); return proxy },
  () => Object.assign(Object.create(null) as object, { nullProto: true, nested: Object.create(null) }),
  () => 'bad \ud800 surrogate \udc00 pair',
  () => { const e = new Error('outer', { cause: new TypeError('inner') }); (e.cause as Error).cause = e; return e },
  () => new AggregateError([new Error('one'), 'two'], 'many'),
  () => new Map<unknown, unknown>([[{ key: 'object' }, 1], [2n, new Set([1, 2])]]),
  () => new Float64Array([Number.NaN, Infinity, 1.5]),
  () => { let o: Record<string, unknown> = { leaf: true }; for (let i = 0; i < 40; i++) o = { o }; return o },
  () => new Money(42n),
  () => Promise.resolve(1),
  (random) => [Number.NaN, -0, Infinity, random.next()]
]

/** Values past the limits (string length, items, keys): costly to ship, so rarer. */
const HUGE: readonly (() => unknown)[] = [
  () => MEGABYTES,
  () => HUNDRED_KB_UNICODE,
  () => ({ toJSON () { return MEGABYTES } }),
  () => Buffer.alloc(300_000, 1),
  () => Array.from({ length: 3000 }, (_, i) => i),
  () => Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]))
]

const ORDINARY: readonly ((random: Random) => unknown)[] = [
  (random) => random.int(1_000_000),
  (random) => random.next() * 1000,
  () => 'a string',
  () => 'ünïcödé ✓',
  () => true,
  () => null,
  (random) => ({ id: random.int(100), tags: ['x', 'y'], nested: { deep: [1, { deeper: 'yes' }] } }),
  () => [1, 'two', { three: 3 }],
  () => new Date(Date.UTC(2024, 1, 29)),
  () => new Point(1, 2)
]

/** A field value: ordinary most of the time, hostile a third of the time, past the limits rarely. */
export function fieldValue (random: Random): unknown {
  const roll = random.next()
  if (roll < 0.01) return random.pick(HUGE)()
  return roll < 0.33 ? random.pick(HOSTILE)(random) : random.pick(ORDINARY)(random)
}

// A getter that answers differently each time is the one case where a formatter's two paths
// (plain data written where it is, or copies read once) may differ (robustness.test.ts says how).
function changesBetweenReads (value: unknown): boolean {
  try {
    return typeof value === 'object' && value !== null && Object.getOwnPropertyDescriptor(value, 'shifty') !== undefined
  } catch {
    return false
  }
}

/**
 * One to six fuzzed fields named by `name`, now and then a `tags` field; values that answer
 * differently at each read are left out, so that every other value must be written alike.
 */
export function fuzzedFields (random: Random, name: (k: number) => string): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  const count = 1 + random.int(6)
  for (let k = 0; k < count; k++) {
    const value = fieldValue(random)
    if (!changesBetweenReads(value)) fields[name(k)] = value
  }
  if (random.next() < 0.1) fields.tags = ['fuzz']
  return fields
}

/** 100,000 characters of 1 to 4 UTF-8 bytes each: a dozen of them make an event past 1 MiB. */
export function hugeUnicode (): string {
  return HUNDRED_KB_UNICODE
}

/** True for values JSON leaves out (undefined, functions): the only fields an event may lack. */
export function isUnwritable (value: unknown): boolean {
  return value === undefined || typeof value === 'function'
}

/** A message argument: a string most of the time, anything else sometimes. */
export function messageValue (random: Random, seq: number): unknown {
  const roll = random.next()
  if (roll < 0.8) return `event ${seq}`
  if (roll < 0.9) return `event ${seq} %s has %d items %j %o %% %i %f %O`
  return random.pick([42, Symbol('message'), [1, 2], new Date(0), null, 12n, random.next() < 0.1 ? MEGABYTES : 'short'] as const)
}

/** A record `time` no typed caller can pass, for records handed straight to the handler. */
export function badTime (random: Random): unknown {
  return random.pick([Number.NaN, Infinity, -Infinity, 1e20, -9e15, 'yesterday', undefined, new Date(Number.NaN), {}])
}
