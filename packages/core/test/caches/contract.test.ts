import assert from 'node:assert/strict'
import { MemoryCache, SqliteCache, type Cache } from '@logstash-async/core'
import { TempDir } from '../../../../test/helpers/temp-dir'
import { memoryCacheOptions, sqliteCacheOptions } from '../../../../test/helpers/resolved-options'

interface Limits { maxEvents?: number, maxBytes?: number }

interface CacheKind {
  name: string
  create (dir: TempDir, limits: Limits): Cache
}

let files = 0
const KINDS: CacheKind[] = [
  { name: 'MemoryCache', create: (_dir, limits) => new MemoryCache(memoryCacheOptions(limits)) },
  { name: 'SqliteCache', create: (dir, limits) => new SqliteCache(sqliteCacheOptions({ path: dir.file(`cache-${++files}.db`), ...limits })) }
]

/** Adds events named `prefix-0`, `prefix-1`... logged now (or at `time`). */
function addEvents (cache: Cache, count: number, prefix = 'e', time = Date.now()): string[] {
  const events = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
  for (const event of events) cache.add(event, time)
  return events
}

// One suite, every cache: the worker relies on exactly this behaviour from each of them.
for (const kind of KINDS) {
  describe(`Cache contract: ${kind.name}`, () => {
    let dir: TempDir
    const caches: Cache[] = []
    const create = (limits: Limits = {}): Cache => {
      const cache = kind.create(dir, limits)
      caches.push(cache)
      return cache
    }

    beforeEach(() => { dir = new TempDir() })
    afterEach(async () => {
      for (const cache of caches.splice(0)) await cache.close()
      dir.remove()
    })

    it('takes the oldest events first, at most max per batch', async () => {
      const cache = create()
      const events = addEvents(cache, 5)
      assert.deepEqual((await cache.take(3)).events, events.slice(0, 3))
      assert.deepEqual((await cache.take(3)).events, events.slice(3))
    })

    it('returns an empty batch when nothing waits', async () => {
      const cache = create()
      assert.deepEqual((await cache.take(10)).events, [])
    })

    it('answers pendingCount() with the events waiting to be taken', async () => {
      const cache = create()
      addEvents(cache, 4)
      assert.equal(cache.pendingCount(), 4)
      await cache.take(3)
      assert.equal(cache.pendingCount(), 1)
    })

    it('counts taken events as in flight until acknowledged', async () => {
      const cache = create()
      addEvents(cache, 4)
      const batch = await cache.take(3)
      assert.deepEqual(cache.counts(), { pending: 1, inFlight: 3, dropped: 0, expired: 0 })
      await cache.ack(batch)
      assert.deepEqual(cache.counts(), { pending: 1, inFlight: 0, dropped: 0, expired: 0 })
    })

    it('forgets an acknowledged batch', async () => {
      const cache = create()
      addEvents(cache, 2)
      await cache.ack(await cache.take(10))
      assert.deepEqual((await cache.take(10)).events, [])
      assert.equal(cache.pendingCount(), 0)
    })

    it('puts a released batch back ahead of newer events', async () => {
      const cache = create()
      const first = addEvents(cache, 3, 'old')
      const batch = await cache.take(10)
      const later = addEvents(cache, 2, 'new')
      await cache.release(batch)
      assert.equal(cache.pendingCount(), 5)
      assert.deepEqual((await cache.take(10)).events, [...first, ...later])
    })

    it('keeps FIFO when several batches in flight come back in any order', async () => {
      const cache = create()
      const events = addEvents(cache, 6, 'old')
      const a = await cache.take(2)
      const b = await cache.take(2)
      const c = await cache.take(2)
      const later = addEvents(cache, 2, 'new')
      await cache.release(c)
      await cache.ack(b)
      await cache.release(a)
      assert.equal(cache.pendingCount(), 6)
      assert.deepEqual((await cache.take(10)).events, [...events.slice(0, 2), ...events.slice(4), ...later])
    })

    it('keeps FIFO when a batch that came back and went out again comes back after a newer one', async () => {
      const cache = create()
      const events = addEvents(cache, 4)
      const a = await cache.take(2)
      const b = await cache.take(2)
      await cache.release(a)
      const later = addEvents(cache, 2, 'new')
      // The second take of a's events may reach past b's (memory: a batch can span another one).
      const again = await cache.take(3)
      assert.deepEqual(again.events.slice(0, 2), events.slice(0, 2))
      await cache.persist?.()
      await cache.release(b)
      await cache.release(again)
      assert.deepEqual((await cache.take(10)).events, [...events, ...later])
    })

    it('forgets the delivered head of a partly delivered batch and puts back only the rest', async () => {
      const cache = create()
      const events = addEvents(cache, 5)
      const later = addEvents(cache, 1, 'new')
      const batch = await cache.take(5)
      await cache.release(batch, 2)
      assert.deepEqual(cache.counts(), { pending: 4, inFlight: 0, dropped: 0, expired: 0 })
      const rest = await cache.take(10)
      assert.deepEqual(rest.events, [...events.slice(2), ...later])
      await cache.ack(rest)
      assert.equal(cache.pendingCount(), 0)
    })

    it('forgets the delivered head of a batch read back from the persistent store too', async () => {
      const cache = create()
      const events = addEvents(cache, 5)
      // A failed send puts what is undelivered in the store: the next take reads it back.
      await cache.release(await cache.take(5))
      const stored = await cache.take(5)
      assert.deepEqual(stored.events, events)
      await cache.release(stored, 3)
      assert.deepEqual((await cache.take(10)).events, events.slice(3))
    })

    it('ignores a second ack or release of the same batch', async () => {
      const cache = create()
      addEvents(cache, 3)
      const batch = await cache.take(10)
      await cache.release(batch)
      await cache.release(batch)
      await cache.ack(batch)
      assert.equal(cache.pendingCount(), 3)
      assert.equal((await cache.take(10)).events.length, 3)
    })

    it('deletes pending events older than the TTL and counts them as expired', async () => {
      const cache = create()
      addEvents(cache, 2, 'stale', Date.now() - 60_000)
      await cache.persist?.()
      addEvents(cache, 1, 'stale-in-memory', Date.now() - 60_000)
      const fresh = addEvents(cache, 2, 'fresh')
      assert.equal(await cache.expire(30_000), 3)
      assert.equal(cache.counts().expired, 3)
      assert.deepEqual((await cache.take(10)).events, fresh)
    })

    it('never expires events in flight', async () => {
      const cache = create()
      addEvents(cache, 2, 'stale', Date.now() - 60_000)
      const batch = await cache.take(10)
      assert.equal(await cache.expire(30_000), 0)
      assert.equal(batch.events.length, 2)
    })

    it('drops the oldest events over maxEvents and counts them', async () => {
      const cache = create({ maxEvents: 3 })
      const events = addEvents(cache, 5)
      assert.deepEqual((await cache.take(10)).events, events.slice(2))
      assert.equal(cache.counts().dropped, 2)
    })

    it('drops the oldest events over maxBytes and counts them', async () => {
      const cache = create({ maxBytes: 10 })
      for (const event of ['aaaa', 'bbbb', 'cccc']) cache.add(event, Date.now())
      assert.deepEqual((await cache.take(10)).events, ['bbbb', 'cccc'])
      assert.equal(cache.counts().dropped, 1)
    })

    it('keeps the bound with several batches in flight, and what it keeps is the newest', async () => {
      const cache = create({ maxEvents: 4 })
      addEvents(cache, 4)
      const a = await cache.take(2)
      const b = await cache.take(2)
      const later = addEvents(cache, 2, 'new')
      await cache.release(b)
      await cache.release(a)
      const { pending, inFlight, dropped } = cache.counts()
      assert.ok(pending + inFlight <= 4, `holds ${pending + inFlight}`)
      assert.equal(pending + dropped, 6)
      const kept = (await cache.take(10)).events
      assert.deepEqual(kept.slice(-2), later)
    })

    it('keeps events in flight when newer ones exceed the bound', async () => {
      const cache = create({ maxEvents: 3 })
      const events = addEvents(cache, 3, 'sent')
      const batch = await cache.take(10)
      addEvents(cache, 2, 'late')
      assert.deepEqual(batch.events, events)
      await cache.ack(batch)
      // The memory cache defers the drop to the batch on the wire (forgiven once delivered),
      // SQLite drops the newer waiting rows: either way the bound holds and all is counted.
      const { pending, inFlight, dropped } = cache.counts()
      assert.ok(pending + inFlight <= 3)
      assert.equal(pending + dropped, 2)
    })
  })
}
