import assert from 'node:assert/strict'
import { MemoryCache } from '@logstash-async/core'
import { memoryCacheOptions } from '../../../../test/helpers/resolved-options'

const T = 1_700_000_000_000

describe('MemoryCache', () => {
  it('hands out events oldest first, in batches of at most max', async () => {
    const cache = new MemoryCache(memoryCacheOptions())
    for (let i = 0; i < 5; i++) cache.add(`e${i}`, T)
    const first = await cache.take(3)
    const second = await cache.take(3)
    assert.deepEqual(first.events, ['e0', 'e1', 'e2'])
    assert.deepEqual(second.events, ['e3', 'e4'])
    assert.deepEqual((await cache.take(3)).events, [])
  })

  it('forgets an acknowledged batch and ignores a second ack or a release after it', async () => {
    const cache = new MemoryCache(memoryCacheOptions())
    cache.add('a', T)
    cache.add('b', T)
    const batch = await cache.take(10)
    assert.deepEqual(cache.counts(), { pending: 0, inFlight: 2, dropped: 0, expired: 0 })
    await cache.ack(batch)
    await cache.ack(batch)
    await cache.release(batch)
    assert.deepEqual(cache.counts(), { pending: 0, inFlight: 0, dropped: 0, expired: 0 })
    assert.deepEqual((await cache.take(10)).events, [])
  })

  it('puts a released batch back ahead of newer events, in its order', async () => {
    const cache = new MemoryCache(memoryCacheOptions())
    cache.add('a', T)
    cache.add('b', T)
    const batch = await cache.take(10)
    cache.add('c', T)
    await cache.release(batch)
    await cache.release(batch)
    assert.equal(cache.pendingCount(), 3)
    assert.deepEqual((await cache.take(10)).events, ['a', 'b', 'c'])
  })

  it('drops the oldest pending events past maxEvents and counts exactly those', async () => {
    const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 100 }))
    for (let i = 0; i < 250; i++) cache.add(`e${i}`, T)
    assert.equal(cache.pendingCount(), 100)
    assert.equal(cache.counts().dropped, 150)
    const batch = await cache.take(1000)
    assert.equal(batch.events[0], 'e150')
    assert.equal(batch.events.at(-1), 'e249')
  })

  it('defers dropping events in flight, and drops nothing if their send succeeds', async () => {
    const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 4 }))
    for (let i = 0; i < 4; i++) cache.add(`e${i}`, T)
    const inFlight = await cache.take(3)
    cache.add('e4', T)
    cache.add('e5', T)
    assert.deepEqual(cache.counts(), { pending: 3, inFlight: 3, dropped: 0, expired: 0 })
    await cache.ack(inFlight)
    assert.deepEqual(cache.counts(), { pending: 3, inFlight: 0, dropped: 0, expired: 0 })
    assert.deepEqual((await cache.take(10)).events, ['e3', 'e4', 'e5'])
  })

  it('drops the oldest events of a failed batch it owed, keeping exactly the newest', async () => {
    const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 4 }))
    for (let i = 0; i < 4; i++) cache.add(`e${i}`, T)
    const inFlight = await cache.take(3)
    cache.add('e4', T)
    cache.add('e5', T)
    await cache.release(inFlight)
    assert.deepEqual(cache.counts(), { pending: 4, inFlight: 0, dropped: 2, expired: 0 })
    assert.deepEqual((await cache.take(10)).events, ['e2', 'e3', 'e4', 'e5'])
  })

  it('drops waiting events once everything in flight is owed', async () => {
    const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 2 }))
    cache.add('e0', T)
    const inFlight = await cache.take(1)
    for (let i = 1; i <= 4; i++) cache.add(`e${i}`, T)
    assert.deepEqual(cache.counts(), { pending: 2, inFlight: 1, dropped: 2, expired: 0 })
    await cache.release(inFlight)
    assert.deepEqual((await cache.take(10)).events, ['e3', 'e4'])
    assert.equal(cache.counts().dropped, 3)
  })

  describe('with several batches in flight', () => {
    it('owes the oldest events in flight, whichever batch holds them, and keeps exactly the newest', async () => {
      const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 4 }))
      for (let i = 0; i < 4; i++) cache.add(`e${i}`, T)
      const a = await cache.take(2)
      const b = await cache.take(2)
      cache.add('e4', T)
      cache.add('e5', T)
      // e0 and e1 (batch a) are owed: dropped only if a comes back.
      assert.deepEqual(cache.counts(), { pending: 2, inFlight: 4, dropped: 0, expired: 0 })
      await cache.release(b)
      await cache.release(a)
      assert.deepEqual(cache.counts(), { pending: 4, inFlight: 0, dropped: 2, expired: 0 })
      assert.deepEqual((await cache.take(10)).events, ['e2', 'e3', 'e4', 'e5'])
    })

    it('forgives what a delivered batch owed and drops what a failed one owed, in any order', async () => {
      const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 4 }))
      for (let i = 0; i < 4; i++) cache.add(`e${i}`, T)
      const a = await cache.take(2)
      const b = await cache.take(2)
      for (let i = 4; i < 7; i++) cache.add(`e${i}`, T)
      // Owed: e0, e1 (a) and e2 (b), the three oldest.
      await cache.release(b)
      await cache.ack(a)
      assert.deepEqual(cache.counts(), { pending: 4, inFlight: 0, dropped: 1, expired: 0 })
      assert.deepEqual((await cache.take(10)).events, ['e3', 'e4', 'e5', 'e6'])
    })

    it('owes the events of a batch that went out again, older than a batch still out', async () => {
      const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 5 }))
      for (let i = 0; i < 4; i++) cache.add(`e${i}`, T)
      const a = await cache.take(2)
      const b = await cache.take(2)
      await cache.release(a)
      cache.add('e4', T)
      const again = await cache.take(3)
      assert.deepEqual(again.events, ['e0', 'e1', 'e4'])
      cache.add('e5', T)
      cache.add('e6', T)
      // Over by two: the two oldest, e0 and e1 of the batch that went out again.
      await cache.release(again)
      await cache.release(b)
      assert.equal(cache.counts().dropped, 2)
      assert.deepEqual((await cache.take(10)).events, ['e2', 'e3', 'e4', 'e5', 'e6'])
    })

    it('counts a partly delivered batch: its delivered head forgiven, its owed rest dropped', async () => {
      const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 4 }))
      for (let i = 0; i < 4; i++) cache.add(`e${i}`, T)
      const batch = await cache.take(4)
      for (let i = 4; i < 7; i++) cache.add(`e${i}`, T)
      // e0, e1, e2 owed; e0 was delivered, e1 and e2 were not: dropped now, e3 back.
      await cache.release(batch, 1)
      assert.deepEqual(cache.counts(), { pending: 4, inFlight: 0, dropped: 2, expired: 0 })
      assert.deepEqual((await cache.take(10)).events, ['e3', 'e4', 'e5', 'e6'])
    })

    it('bounds bytes the same way', async () => {
      const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 100, maxBytes: 8 }))
      for (const event of ['aa', 'bb', 'cc', 'dd']) cache.add(event, T)
      const a = await cache.take(2)
      const b = await cache.take(2)
      cache.add('ee', T)
      await cache.release(b)
      await cache.release(a)
      assert.deepEqual((await cache.take(10)).events, ['bb', 'cc', 'dd', 'ee'])
      assert.equal(cache.counts().dropped, 1)
    })
  })

  it('bounds the UTF-8 bytes it holds when maxBytes is set', async () => {
    const cache = new MemoryCache(memoryCacheOptions({ maxBytes: 10 }))
    cache.add('ééé', T) // 6 bytes
    cache.add('abcd', T) // 4 bytes: exactly at the bound
    assert.equal(cache.counts().dropped, 0)
    cache.add('x', T)
    assert.equal(cache.counts().dropped, 1)
    assert.deepEqual((await cache.take(10)).events, ['abcd', 'x'])
  })

  it('drops the oldest when a released batch no longer fits the bound', async () => {
    const cache = new MemoryCache(memoryCacheOptions({ maxEvents: 3 }))
    cache.add('a', T)
    cache.add('b', T)
    const batch = await cache.take(2)
    cache.add('c', T)
    await cache.release(batch)
    assert.deepEqual(cache.counts(), { pending: 3, inFlight: 0, dropped: 0, expired: 0 })
    cache.add('d', T)
    assert.deepEqual((await cache.take(10)).events, ['b', 'c', 'd'])
    assert.equal(cache.counts().dropped, 1)
  })

  it('expires pending events older than the TTL and counts them', async () => {
    const cache = new MemoryCache(memoryCacheOptions())
    const now = Date.now()
    cache.add('old1', now - 10_000)
    cache.add('old2', now - 5_000)
    cache.add('new', now)
    assert.equal(await cache.expire(1_000), 2)
    assert.equal(cache.counts().expired, 2)
    assert.deepEqual((await cache.take(10)).events, ['new'])
  })

  it('keeps FIFO order across the growth of its ring buffer', async () => {
    const cache = new MemoryCache(memoryCacheOptions())
    const taken: string[] = []
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1500; i++) cache.add(`${round}-${i}`, T)
      const batch = await cache.take(1000)
      taken.push(...batch.events)
      await cache.ack(batch)
    }
    for (;;) {
      const batch = await cache.take(1000)
      if (batch.events.length === 0) break
      taken.push(...batch.events)
      await cache.ack(batch)
    }
    const expected: string[] = []
    for (let round = 0; round < 5; round++) for (let i = 0; i < 1500; i++) expected.push(`${round}-${i}`)
    assert.deepEqual(taken, expected)
  })

  it('counts what it still holds as dropped when closed', async () => {
    const cache = new MemoryCache(memoryCacheOptions())
    cache.add('a', T)
    cache.add('b', T)
    await cache.take(1)
    await cache.close()
    assert.deepEqual(cache.counts(), { pending: 0, inFlight: 0, dropped: 2, expired: 0 })
  })

  describe('keeps its events as UTF-8 and hands batches out as bytes', () => {
    const EVENTS = ['{"a":1}', '{"m":"Grüße 🚀"}', '', `{"big":"${'x'.repeat(1024 * 1024)}"}`, '{"z":26}']

    async function batchOf (events: readonly string[]): Promise<{ cache: MemoryCache, batch: Awaited<ReturnType<MemoryCache['take']>> }> {
      const cache = new MemoryCache(memoryCacheOptions())
      for (const event of events) cache.add(event, T)
      return { cache, batch: await cache.take(events.length) }
    }

    function copied (batch: Awaited<ReturnType<MemoryCache['take']>>, start: number, end: number, separator?: number): string {
      const bytes = batch.bytes
      assert.ok(bytes !== undefined)
      const target = Buffer.alloc(4 * 1024 * 1024)
      return target.toString('utf8', 0, bytes.copy(start, end, target, 0, separator))
    }

    it('counts, measures and copies them as the strings would encode', async () => {
      const { batch } = await batchOf(EVENTS)
      assert.equal(batch.count, EVENTS.length)
      assert.deepEqual(batch.events, EVENTS)
      for (const [i, event] of EVENTS.entries()) assert.equal(batch.bytes?.byteLength(i), Buffer.byteLength(event))
      assert.equal(copied(batch, 0, EVENTS.length, 0x0a), EVENTS.map((e) => `${e}\n`).join(''))
      assert.equal(copied(batch, 1, 4, 0x2c), EVENTS.slice(1, 4).map((e) => `${e},`).join(''))
      assert.equal(copied(batch, 0, EVENTS.length), EVENTS.join(''))
    })

    it('copies a batch put back after a failed send as it was, in order', async () => {
      const { cache, batch } = await batchOf(EVENTS)
      cache.add('{"later":1}', T)
      await cache.release(batch, 2)
      const again = await cache.take(10)
      assert.deepEqual(again.events, [...EVENTS.slice(2), '{"later":1}'])
      assert.equal(copied(again, 0, again.count ?? 0, 0x0a), [...EVENTS.slice(2), '{"later":1}'].map((e) => `${e}\n`).join(''))
    })

    it('still copies a batch that was on the wire when the cache closed', async () => {
      const { cache, batch } = await batchOf(EVENTS)
      await cache.close()
      assert.equal(copied(batch, 0, EVENTS.length, 0x0a), EVENTS.map((e) => `${e}\n`).join(''))
    })

    it('bounds maxBytes by the UTF-8 bytes it wrote, multi-byte characters counted as such', async () => {
      const cache = new MemoryCache(memoryCacheOptions({ maxBytes: 10 }))
      cache.add('éé', T) // 4 bytes
      cache.add('ééé', T) // 6 bytes: 10 in all, within the bound
      assert.equal(cache.counts().dropped, 0)
      cache.add('é', T) // 2 more: the oldest goes
      assert.equal(cache.counts().dropped, 1)
      assert.deepEqual((await cache.take(10)).events, ['ééé', 'é'])
    })

    it('reuses the memory of events that left: a long run of batches holds only what waits', async () => {
      const cache = new MemoryCache(memoryCacheOptions())
      const event = `{"m":"${'y'.repeat(1000)}"}`
      const external = process.memoryUsage().arrayBuffers
      for (let round = 0; round < 200; round++) {
        for (let i = 0; i < 1000; i++) cache.add(event, T)
        await cache.ack(await cache.take(1000))
      }
      // 200 MB went through; what stays is a few spare chunks of 1 MiB, not the 200 MB.
      assert.ok(process.memoryUsage().arrayBuffers - external < 32 * 1024 * 1024)
    })
  })
})
