import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { DatabaseSync } from 'node:sqlite'
import { ConfigurationError, SqliteCache, type LogstashError, type SqliteCacheOptions } from '@logstash-async/core'
import { normalizeOptions } from '@logstash-async/core/internal'
import { TempDir } from '../../../../test/helpers/temp-dir'
import { waitFor } from '../../../../test/helpers/wait'
import { sqliteCacheOptions } from '../../../../test/helpers/resolved-options'

describe('SqliteCache', () => {
  let dir: TempDir
  let path: string
  const open: SqliteCache[] = []
  const connections: DatabaseSync[] = []

  /** A cache on the test's file (by default), collecting what it reports. */
  function cache (options: Partial<SqliteCacheOptions> = {}): SqliteCache & { errors: LogstashError[] } {
    const created = Object.assign(new SqliteCache(sqliteCacheOptions({ path, ...options })), { errors: [] as LogstashError[] })
    created.attach({ onError: (err) => created.errors.push(err) })
    open.push(created)
    return created
  }

  /** A plain connection to the file, for looking at and tampering with rows. */
  function sql (): DatabaseSync {
    const db = new DatabaseSync(path)
    connections.push(db)
    return db
  }

  const rowCount = (): number => (sql().prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n

  function add (target: SqliteCache, count: number, prefix = 'e'): string[] {
    const events = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
    for (const event of events) target.add(event, Date.now())
    return events
  }

  beforeEach(() => {
    dir = new TempDir()
    path = dir.file('cache.db')
  })

  afterEach(async () => {
    for (const db of connections.splice(0)) if (db.isOpen) db.close()
    for (const c of open.splice(0)) await c.close()
    dir.remove()
  })

  describe('durability', () => {
    it('writes to the file on persist(), not on add()', async () => {
      const c = cache()
      add(c, 3)
      await c.persist()
      add(c, 2, 'later')
      assert.equal(rowCount(), 3)
      await c.persist()
      assert.equal(rowCount(), 5)
    })

    it('keeps undelivered events in the file at close without counting them as dropped', async () => {
      const first = cache()
      const events = add(first, 10)
      await first.close()
      assert.equal(first.counts().dropped, 0)
      const second = cache()
      await waitFor(() => second.pendingCount() === 10, { message: () => `pendingCount() 10 (got ${second.pendingCount()})` })
      assert.deepEqual((await second.take(100)).events, events)
    })

    it('writes what is only in memory synchronously in persistSync()', () => {
      const c = cache()
      add(c, 5)
      c.persistSync()
      assert.equal(rowCount(), 5)
    })

    it('puts its rows in flight back at close, ahead of newer rows', async () => {
      const first = cache()
      const events = add(first, 10)
      await first.take(4)
      await first.close()
      assert.deepEqual((await cache().take(100)).events, events)
    })
  })

  describe('write-behind', () => {
    /** Delivers one event, so that the next tick finds the cache delivering. */
    async function deliverOne (target: SqliteCache): Promise<void> {
      target.add('delivered', Date.now())
      await target.ack(await target.take(1))
    }

    /** The rows in id order: the event, and whether a cache claims it. */
    function rows (): { event: string, claimed: boolean }[] {
      return (sql().prepare('SELECT event, owner FROM events ORDER BY id').all() as { event: Uint8Array, owner: string | null }[])
        .map((row) => ({ event: Buffer.from(row.event).toString(), claimed: row.owner !== null }))
    }

    it('writes nothing for events delivered before the next tick', async () => {
      const c = cache()
      add(c, 5)
      await c.ack(await c.take(10))
      await c.persist()
      await c.expire(60_000)
      assert.equal(rowCount(), 0)
    })

    it('writes a batch on the wire at a tick as rows no other cache takes, and deletes them on ack', async () => {
      const c = cache()
      add(c, 3)
      const batch = await c.take(10)
      await c.persist()
      assert.deepEqual(rows(), ['e-0', 'e-1', 'e-2'].map((event) => ({ event, claimed: true })))
      assert.deepEqual((await cache().take(10)).events, [])
      await c.ack(batch)
      await c.persist()
      assert.equal(rowCount(), 0)
    })

    it('keeps what it writes while delivering claimed, sends it from memory and deletes it on ack', async () => {
      const c = cache()
      await deliverOne(c)
      const events = add(c, 5)
      await c.persist()
      assert.deepEqual(rows(), events.map((event) => ({ event, claimed: true })))
      assert.equal(c.pendingCount(), 5)
      assert.deepEqual((await cache().take(10)).events, [])
      const batch = await c.take(10)
      assert.deepEqual(batch.events, events)
      await c.ack(batch)
      await c.persist()
      assert.equal(rowCount(), 0)
    })

    it('writes what waits as pending rows when it delivered nothing since the last tick', async () => {
      const c = cache()
      await deliverOne(c)
      await c.persist()
      const events = add(c, 3)
      await c.persist()
      assert.deepEqual(rows(), events.map((event) => ({ event, claimed: false })))
    })

    it('puts everything undelivered in the file as pending rows, in order, when a send fails', async () => {
      const c = cache()
      await deliverOne(c)
      const kept = add(c, 5)
      await c.persist()
      const batch = await c.take(2)
      const later = add(c, 3, 'later')
      await c.release(batch)
      assert.deepEqual(rows(), [...kept, ...later].map((event) => ({ event, claimed: false })))
      assert.deepEqual((await cache().take(100)).events, [...kept, ...later])
    })

    it('frees the rows it keeps and writes the rest, in order, in persistSync()', async () => {
      const c = cache()
      await deliverOne(c)
      const kept = add(c, 5)
      await c.persist()
      const later = add(c, 2, 'later')
      c.persistSync()
      assert.deepEqual(rows(), [...kept, ...later].map((event) => ({ event, claimed: false })))
    })

    it('deletes the rows of kept events that the bound drops from memory', async () => {
      const c = cache({ maxEvents: 3 })
      await deliverOne(c)
      const kept = add(c, 3)
      await c.persist()
      const later = add(c, 2, 'later')
      await c.persist()
      assert.equal(c.counts().dropped, 2)
      assert.deepEqual(rows().map((row) => row.event), [kept[2], ...later])
    })

    it('renews the leases of the rows it keeps before they run out', async () => {
      const c = cache({ leaseMs: 100 })
      await deliverOne(c)
      add(c, 1000)
      await c.persist()
      const leaseOf = (): number => (sql().prepare('SELECT max(lease_until) AS t FROM events').get() as { t: number }).t
      const first = leaseOf()
      // Each round delivers one kept event (so the cache keeps delivering) and ticks.
      const deadline = Date.now() + 5000
      while (leaseOf() === first && Date.now() < deadline) {
        await c.ack(await c.take(1))
        await c.persist()
      }
      assert.ok(leaseOf() > first, 'the leases were renewed')
      assert.ok(rows().every((row) => row.claimed), 'no row went back to pending')
    })
  })

  describe('sharing one file', () => {
    it('gives each row to one cache only', async () => {
      const a = cache()
      const b = cache()
      const events = add(a, 100)
      await a.persist()
      const fromB = await b.take(60)
      const fromA = await a.take(60)
      assert.equal(fromB.events.length + fromA.events.length, 100)
      assert.deepEqual([...fromB.events, ...fromA.events], events)
    })

    it('deletes only its own claim on ack', async () => {
      const a = cache()
      const b = cache()
      add(a, 10)
      await a.persist()
      const batchA = await a.take(4)
      const batchB = await b.take(4)
      await a.ack(batchA)
      await a.persist()
      assert.equal(rowCount(), 6)
      await b.release(batchB)
      assert.deepEqual((await a.take(100)).events, batchB.events.concat(['e-8', 'e-9']))
    })

    it('counts rows another cache wrote as pending after its next transaction', async () => {
      const a = cache()
      const b = cache()
      add(a, 7)
      await a.persist()
      assert.equal(b.pendingCount(), 0)
      add(b, 1)
      await b.persist()
      assert.equal(b.pendingCount(), 8)
    })

    it('frees at once the rows of a claimer on this machine whose process is gone', async () => {
      const a = cache()
      const events = add(a, 5)
      await a.persist()
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number
      sql().prepare('UPDATE events SET owner = ?, claim = 1, lease_until = ?').run(`${hostname()}/${deadPid}/1/0`, Date.now() + 3_600_000)
      assert.deepEqual((await cache().take(100)).events, events)
    })

    it('leaves a claim of another machine alone while its lease lasts', async () => {
      const a = cache()
      add(a, 5)
      await a.persist()
      sql().prepare("UPDATE events SET owner = 'elsewhere/1/1/0', claim = 1, lease_until = ? WHERE id <= 3").run(Date.now() + 3_600_000)
      assert.deepEqual((await cache().take(100)).events, ['e-3', 'e-4'])
    })

    it('takes rows whose lease ran out again, oldest first', async () => {
      const a = cache()
      const events = add(a, 5)
      await a.persist()
      sql().prepare("UPDATE events SET owner = 'elsewhere/1/1/0', claim = 1, lease_until = ? WHERE id <= 3").run(Date.now() - 1)
      assert.deepEqual((await cache().take(100)).events, events)
    })
  })

  describe('bounds, TTL and counts', () => {
    it('bounds the file with maxEvents across caches, dropping the oldest', async () => {
      const a = cache({ maxEvents: 8 })
      const b = cache({ maxEvents: 8 })
      add(a, 5, 'a')
      await a.persist()
      const fromB = add(b, 5, 'b')
      await b.persist()
      assert.equal(rowCount(), 8)
      assert.equal(b.counts().dropped, 2)
      assert.deepEqual((await b.take(100)).events, ['a-2', 'a-3', 'a-4', ...fromB])
      assert.ok(b.errors.some((err) => err.code === 'LOGSTASH_DROPPED' && /maxEvents \(8\)/.test(err.message)))
    })

    it('bounds the file with maxBytes, dropping the oldest', async () => {
      const c = cache({ maxBytes: 1000 })
      for (let i = 0; i < 3; i++) { c.add(`${i}`.padEnd(400, '.'), Date.now()); await c.persist() }
      assert.equal(rowCount(), 2)
      assert.equal(c.counts().dropped, 1)
    })

    it('expires rows in the file that outlived the TTL, counting them', async () => {
      const c = cache()
      c.add('stale', Date.now() - 10_000)
      c.add('fresh', Date.now())
      await c.persist()
      assert.equal(await c.expire(5000), 1)
      assert.equal(rowCount(), 1)
      assert.equal(c.counts().expired, 1)
    })

    it('keeps pendingCount() equal to the rows waiting in the file', async () => {
      const c = cache()
      add(c, 50)
      await c.persist()
      const batch = await c.take(20)
      await c.release(await c.take(5))
      await c.ack(batch)
      c.add('stale', Date.now() - 10_000)
      await c.persist()
      await c.expire(5000)
      const pending = (sql().prepare('SELECT count(*) AS n FROM events WHERE owner IS NULL').get() as { n: number }).n
      assert.equal(c.pendingCount(), pending)
      assert.equal(pending, 30)
    })

    it('gives the space back to the file system with vacuum on close', async () => {
      const big = 'x'.repeat(2000)
      for (const vacuum of [false, true]) {
        path = dir.file(`vacuum-${String(vacuum)}.db`)
        const c = cache({ vacuum })
        for (let i = 0; i < 500; i++) c.add(big, Date.now())
        // Written first (undelivered at a tick), then delivered: the rows leave free pages.
        await c.persist()
        await c.ack(await c.take(1000))
        await c.close()
      }
      assert.ok(statSync(dir.file('vacuum-true.db')).size * 4 < statSync(dir.file('vacuum-false.db')).size)
    })
  })

  describe('disk problems', () => {
    it('moves a corrupt file aside, reports it, and starts a new one', async () => {
      writeFileSync(path, 'this is not a database'.repeat(100))
      const c = cache()
      add(c, 3)
      assert.deepEqual((await c.take(10)).events, ['e-0', 'e-1', 'e-2'])
      const aside = readdirSync(dir.path).filter((name) => name.startsWith('cache.db.corrupt-') && !/-(wal|shm)$/.test(name))
      assert.equal(aside.length, 1)
      assert.equal(readFileSync(dir.file(aside[0] as string), 'utf8'), 'this is not a database'.repeat(100))
      const report = c.errors.find((err) => err.code === 'LOGSTASH_CACHE_CORRUPT')
      assert.match(report?.message ?? '', /corrupt.*moved it to .*cache\.db\.corrupt-/)
    })

    it('keeps events in memory while the file stays locked, sends them from there, and reports it', async () => {
      const c = cache({ busyTimeoutMs: 20 })
      add(c, 1, 'first')
      await c.persist()
      const locker = sql()
      locker.exec('BEGIN IMMEDIATE')
      const events = add(c, 5)
      await c.persist()
      const batch = await c.take(10)
      assert.deepEqual(batch.events, events)
      await c.ack(batch)
      assert.match(c.errors[0]?.message ?? '', /locked .*busyTimeoutMs \(20 ms\)/)
      assert.equal(c.errors[0]?.code, 'LOGSTASH_CACHE_LOCKED')
      locker.exec('ROLLBACK')
      add(c, 2, 'later')
      await c.persist()
      assert.equal(rowCount(), 3)
    })

    it('leaves a file written by a newer release untouched', async () => {
      await cache().close()
      sql().exec('UPDATE schema_version SET version = 99')
      const before = readFileSync(path)
      const c = cache()
      add(c, 2)
      assert.deepEqual((await c.take(10)).events, ['e-0', 'e-1'])
      assert.equal(c.errors[0]?.code, 'LOGSTASH_CACHE_SCHEMA')
      assert.deepEqual(readFileSync(path), before)
    })

    it('reports a directory that does not exist, and works in memory', async () => {
      path = dir.file('missing/cache.db')
      const c = cache()
      add(c, 2)
      assert.deepEqual((await c.take(10)).events, ['e-0', 'e-1'])
      // No file to read rows from: sending does not wait for the thread's report.
      await waitFor(() => c.errors.length > 0, { message: 'a report' })
      assert.equal(c.errors[0]?.code, 'LOGSTASH_CACHE_OPEN')
      assert.equal(existsSync(path), false)
    })
  })

  describe('configuration', () => {
    it('throws a ConfigurationError naming the Node.js version needed when node:sqlite is missing', () => {
      const original = process.getBuiltinModule
      process.getBuiltinModule = ((id: string) => id === 'node:sqlite' ? undefined : original(id)) as typeof original
      try {
        assert.throws(() => new SqliteCache(sqliteCacheOptions({ path })), (err: unknown) =>
          err instanceof ConfigurationError && /node:sqlite.*Node\.js >= 22\.13/.test(err.message) && err.message.includes(process.version))
      } finally {
        process.getBuiltinModule = original
      }
    })

    it('is validated with the handler options, under one rule', () => {
      assert.throws(() => normalizeOptions({ databasePath: path, sqlite: { leaseMs: 999 } }, {}), /^ConfigurationError: sqlite.leaseMs must be an integer 1000-2147483647, got 999$/)
    })
  })
})
