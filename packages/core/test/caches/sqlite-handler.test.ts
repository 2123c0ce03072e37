import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import {
  ConfigurationError, createLogger, DEFAULTS, LogstashHandler, SqliteCache, type HandlerOptions, type LogstashError
} from '@logstash-async/core'
import { normalizeOptions } from '@logstash-async/core/internal'
import { TcpReceiver } from '../../../../test/helpers/tcp-receiver'
import { TempDir } from '../../../../test/helpers/temp-dir'
import { waitFor } from '../../../../test/helpers/wait'
import { sqliteCacheOptions } from '../../../../test/helpers/resolved-options'

describe('LogstashHandler with databasePath', () => {
  let dir: TempDir
  let path: string
  let deadPort: number
  const handlers: LogstashHandler[] = []
  const receivers: TcpReceiver[] = []
  const connections: DatabaseSync[] = []

  /** A handler on the test's file; `errors` collects what reaches onError. */
  function handler (options: HandlerOptions = {}): LogstashHandler & { errors: LogstashError[] } {
    const errors: LogstashError[] = []
    const created = Object.assign(new LogstashHandler({
      host: '127.0.0.1', port: deadPort, databasePath: path, errorRateLimit: Infinity, closeTimeoutMs: 100, onError: (err) => errors.push(err), ...options
    }), { errors })
    handlers.push(created)
    return created
  }

  async function receiver (): Promise<TcpReceiver> {
    const started = await TcpReceiver.start()
    receivers.push(started)
    return started
  }

  function rows (): number {
    const db = new DatabaseSync(path)
    connections.push(db)
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n
  }

  const logRange = (target: LogstashHandler, count: number, prefix = 'e'): void => {
    const log = createLogger({ handler: target })
    for (let i = 0; i < count; i++) log.info(`${prefix}-${i}`)
  }
  const range = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

  before(async () => {
    const closed = await TcpReceiver.start()
    await closed.close()
    deadPort = closed.port
  })

  beforeEach(() => {
    dir = new TempDir()
    path = dir.file('cache.db')
  })

  afterEach(async () => {
    for (const db of connections.splice(0)) db.close()
    for (const h of handlers.splice(0)) await h.close()
    for (const r of receivers.splice(0)) await r.close()
    dir.remove()
  })

  it('delivers through the file in order and leaves it empty', async () => {
    const up = await receiver()
    const h = handler({ port: up.port, closeTimeoutMs: 10_000 })
    logRange(h, 1500)
    assert.equal(await h.flush(), true)
    await up.waitForEvents(1500)
    assert.deepEqual(up.events.map((e) => e.message), range('e', 1500))
    assert.equal(rows(), 0)
  })

  it('delivers a flood from memory, dropping nothing, while its writes to the file wait for a lock', async () => {
    await new SqliteCache(sqliteCacheOptions({ path })).close()
    const up = await receiver()
    // Ticks every 20 ms: several of them wait on the lock while the events go out.
    const h = handler({ port: up.port, flushIntervalMs: 20, cache: { maxEvents: 2000 }, sqlite: { busyTimeoutMs: 10_000 }, closeTimeoutMs: 10_000 })
    assert.equal(await h.flush(), true)
    const locker = new DatabaseSync(path)
    connections.push(locker)
    locker.exec('BEGIN IMMEDIATE')
    const log = createLogger({ handler: h })
    for (let i = 0; i < 10_000; i += 100) {
      for (let j = i; j < i + 100; j++) log.info(`e-${j}`)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await up.waitForEvents(10_000)
    locker.exec('ROLLBACK')
    assert.equal(h.stats().dropped, 0)
    assert.deepEqual(up.events.map((e) => e.message), range('e', 10_000))
  })

  it('sends at start what an earlier run left in the file, without a log call', async () => {
    const earlier = new SqliteCache(sqliteCacheOptions({ path }))
    for (const message of range('earlier', 20)) earlier.add(JSON.stringify({ message }), Date.now())
    await earlier.close()
    const up = await receiver()
    handler({ port: up.port })
    await up.waitForEvents(20)
    assert.deepEqual(up.events.map((e) => e.message), range('earlier', 20))
  })

  it('keeps undelivered events in the file at close without counting them as dropped', async () => {
    const h = handler()
    logRange(h, 50)
    await h.close()
    assert.equal(h.stats().dropped, 0)
    assert.equal(h.errors.filter((err) => err.name === 'DroppedEventsError').length, 0)
    assert.equal(rows(), 50)
  })

  it('resolves flush() once another handler on the same file delivered its events', async () => {
    const up = await receiver()
    const stuck = handler({ retry: { initialDelayMs: 2000, maxDelayMs: 2000 }, closeTimeoutMs: 10_000 })
    logRange(stuck, 100, 'stuck')
    const flushed = stuck.flush()
    await waitFor(() => stuck.stats().failedSends > 0, { message: 'a failed send' })
    const working = handler({ port: up.port })
    logRange(working, 1, 'working')
    assert.equal(await flushed, true)
    await up.waitForEvents(101)
    assert.deepEqual(up.events.map((e) => e.message), [...range('stuck', 100), 'working-0'])
  })

  it('writes what is logged during a backoff to the file within about a flush interval', async () => {
    const h = handler({ retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } })
    logRange(h, 10, 'before')
    await waitFor(() => h.stats().failedSends > 0, { message: 'a failed send' })
    logRange(h, 10, 'during')
    await waitFor(() => rows() === 20, { timeoutMs: 5000, message: () => `20 rows (got ${rows()})` })
  })

  it('deletes events older than eventTtlMs unsent and counts them as expired', async () => {
    const h = handler({ eventTtlMs: 1000 })
    for (let i = 0; i < 5; i++) h.log({ level: 'info', message: `old-${i}`, time: Date.now() - 60_000 })
    await waitFor(() => h.stats().expired === 5, { message: () => `5 expired (got ${h.stats().expired})` })
    assert.ok(h.errors.some((err) => err.code === 'LOGSTASH_EXPIRED'))
  })

  it('bounds the file with cache.maxEvents, dropping the oldest and counting them', async () => {
    const up = await receiver()
    const h = handler({ cache: { maxEvents: 20 } })
    logRange(h, 50)
    await h.close()
    assert.equal(h.stats().dropped, 30)
    assert.equal(rows(), 20)
    handler({ port: up.port })
    await up.waitForEvents(20)
    assert.deepEqual(up.events.map((e) => e.message), range('e', 50).slice(30))
  })

  it('counts the rows waiting in the file as queued', async () => {
    const h = handler({ retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } })
    logRange(h, 30)
    await waitFor(() => h.stats().failedSends > 0 && rows() === 30, { message: 'a failed send with 30 rows written' })
    assert.equal(h.stats().queued, 30)
  })

  describe('options', () => {
    it('defaults sqlite to a 60 s lease, a 1 s busy timeout and no vacuum', () => {
      assert.deepEqual(normalizeOptions({}, {}).sqlite, { leaseMs: 60_000, busyTimeoutMs: 1000, vacuum: false })
      assert.deepEqual(DEFAULTS.sqlite, { leaseMs: 60_000, busyTimeoutMs: 1000, vacuum: false })
    })

    it('makes the default lease three times timeoutMs when that is longer', () => {
      assert.equal(normalizeOptions({ timeoutMs: 30_000 }, {}).sqlite.leaseMs, 90_000)
    })

    it('rejects a lease under a second, naming the option', () => {
      assert.throws(() => normalizeOptions({ sqlite: { leaseMs: 10 } }, {}),
        (err: unknown) => err instanceof ConfigurationError && err.message === 'sqlite.leaseMs must be an integer 1000-2147483647, got 10')
    })

    it('rejects a vacuum that is not a boolean, naming the option', () => {
      assert.throws(() => normalizeOptions({ sqlite: { vacuum: 'yes' as unknown as boolean } }, {}), /sqlite\.vacuum must be true or false, got "yes"/)
    })

    it('takes databasePath from LOGSTASH_DATABASE_PATH', () => {
      assert.equal(normalizeOptions({}, { LOGSTASH_DATABASE_PATH: '/var/lib/app/logs.db' }).databasePath, '/var/lib/app/logs.db')
    })
  })
})
