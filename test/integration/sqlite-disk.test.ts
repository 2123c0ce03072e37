import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { SqliteCache } from '@logstash-async/core'
import { FIXTURES, FixtureProcess, type FixtureOptions } from '../helpers/child-process'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { TempDir } from '../helpers/temp-dir'
import { sqliteCacheOptions } from '../helpers/resolved-options'

const NOBODY = 65534

/** Every directory above `path` lets others in, and `path` lets them read: true for a checkout in /work or /home, false under /root. */
function othersCanRead (path: string): boolean {
  for (let p = path; ; p = dirname(p)) {
    const mode = statSync(p).mode
    if ((mode & (p === path ? 0o004 : 0o001)) === 0) return false
    if (p === dirname(p)) return true
  }
}

describe('SqliteCache on a troubled disk', function () {
  this.timeout(60_000)
  let dir: TempDir
  let databasePath: string
  const receivers: TcpReceiver[] = []
  const children: FixtureProcess[] = []

  const start = (config: Record<string, unknown>, options: FixtureOptions): FixtureProcess => {
    const child = new FixtureProcess('sqlite-child.js', [JSON.stringify({ databasePath, ...config })], options)
    children.push(child)
    return child
  }

  beforeEach(() => {
    dir = new TempDir()
    databasePath = dir.file('cache.db')
  })

  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill()
    for (const r of receivers.splice(0)) await r.close()
    dir.remove()
  })

  it('keeps delivering from memory, and says why, when the file is read-only', async function () {
    // Root writes to read-only files anyway: the child then runs as nobody.
    const asRoot = process.getuid?.() === 0
    if (asRoot && (!othersCanRead(process.execPath) || !othersCanRead(FIXTURES))) this.skip()
    const earlier = new SqliteCache(sqliteCacheOptions({ path: databasePath }))
    for (let i = 0; i < 3; i++) earlier.add(`{"message":"earlier-${i}"}`, Date.now())
    await earlier.close()
    chmodSync(databasePath, 0o444)
    chmodSync(dir.path, 0o777)
    const receiver = await TcpReceiver.start()
    receivers.push(receiver)

    const child = start({ mode: 'paced', port: receiver.port, count: 1000, chunk: 50, options: { closeTimeoutMs: 500 } },
      asRoot ? { uid: NOBODY, gid: NOBODY } : {})
    assert.equal((await child.exit()).code, 0, child.stderr)
    assert.ok(child.lines.some((line) => /^report LOGSTASH_CACHE_READONLY .*the file is read-only/.test(line)), child.lines.slice(0, 5).join('\n'))
    assert.ok(child.lines.some((line) => line.startsWith('done ')), 'close() finished')
    assert.deepEqual(receiver.events.map((event) => event.message), Array.from({ length: 1000 }, (_, i) => `e-${i}`))
    const db = new DatabaseSync(databasePath, { readOnly: true })
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 3)
    } finally {
      db.close()
    }
  })

  it('keeps delivering, and says why, when the disk is full (a file size limit)', async function () {
    if (spawnSync('bash', ['-c', 'ulimit -f 128']).status !== 0) this.skip()
    const receiver = await TcpReceiver.start()
    receivers.push(receiver)
    // Down at first: sends fail, so what waits goes to the file, which fills up.
    await receiver.stop()

    // 128 KiB: the schema fits, a few hundred events do, 3000 do not.
    const options = { retry: { initialDelayMs: 20, maxDelayMs: 200 }, closeTimeoutMs: 2000 }
    const child = start({ mode: 'paced', port: receiver.port, count: 3000, chunk: 50, options }, { shellPrefix: 'ulimit -f 128' })
    await child.waitForLine(/^report LOGSTASH_CACHE_FULL .*full disk or a file size limit/)
    await receiver.listen()
    assert.equal((await child.exit()).code, 0, child.stderr)
    assert.ok(child.lines.some((line) => line.startsWith('done ')), 'close() finished')
    const first = receiver.events.map((event) => event.message as string)
    assert.equal(new Set(first).size, first.length, 'the first process sent an event twice')

    // What reached the file stays there for the next start. A full file cannot even record
    // the delete of a delivered event: such a row is sent again (at least once), no other.
    const db = new DatabaseSync(databasePath, { readOnly: true })
    let left: number
    try {
      left = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n
    } finally {
      db.close()
    }
    const next = start({ mode: 'deliver', port: receiver.port }, {})
    assert.equal((await next.exit()).code, 0, next.stderr)
    const got = receiver.events.map((event) => event.message as string)
    assert.equal(got.length - first.length, left, 'the next start sent what the file held')
    assert.deepEqual([...new Set(got)].sort(), Array.from({ length: 3000 }, (_, i) => `e-${i}`).sort())
  })
})
