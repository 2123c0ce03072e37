import assert from 'node:assert/strict'
import { FixtureProcess } from '../helpers/child-process'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { TempDir } from '../helpers/temp-dir'
import { waitFor } from '../helpers/wait'

/** Starts the SQLite fixture (test/fixtures/sqlite-child.ts) with this configuration. */
function child (config: Record<string, unknown>): FixtureProcess {
  return new FixtureProcess('sqlite-child.js', [JSON.stringify(config)])
}

/** A port where nothing listens: a receiver started and closed again. */
async function deadPort (): Promise<number> {
  const receiver = await TcpReceiver.start()
  await receiver.close()
  return receiver.port
}

function messages (receiver: TcpReceiver): string[] {
  return receiver.events.map((event) => event.message as string)
}

function range (prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
}

describe('SqliteCache across processes', function () {
  this.timeout(60_000)
  let dir: TempDir
  let databasePath: string
  const receivers: TcpReceiver[] = []
  const children: FixtureProcess[] = []
  const start = (config: Record<string, unknown>): FixtureProcess => {
    const started = child({ databasePath, ...config })
    children.push(started)
    return started
  }
  const receiver = async (): Promise<TcpReceiver> => {
    const started = await TcpReceiver.start()
    receivers.push(started)
    return started
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

  it('delivers all 5000 events of a process killed with SIGKILL after one flush tick, in order, none twice', async () => {
    const first = start({ mode: 'log-and-wait', port: await deadPort(), count: 5000 })
    await first.waitForLine(/^persisted$/)
    first.child.kill('SIGKILL')
    assert.equal((await first.exit()).signal, 'SIGKILL')

    const up = await receiver()
    const second = start({ mode: 'deliver', port: up.port })
    assert.equal((await second.exit()).code, 0)
    assert.ok(second.lines.includes('flushed true'), second.lines.join('\n'))
    assert.deepEqual(messages(up), range('e', 5000))
  })

  it('loses nothing when the process calls process.exit() right after logging', async () => {
    const up = await receiver()
    const first = start({ mode: 'log-and-exit', port: up.port, count: 2000 })
    assert.equal((await first.exit()).code, 0)
    const second = start({ mode: 'deliver', port: up.port })
    assert.equal((await second.exit()).code, 0)
    assert.deepEqual(messages(up), range('e', 2000))
  })

  it('delivers every event of a process that calls process.exit() with writes and sends under way', async () => {
    const up = await receiver()
    const batchSize = 100
    const first = start({ mode: 'exit-midway', port: up.port, count: 4000, chunk: 100, options: { batchSize, flushCount: 100, flushIntervalMs: 10 } })
    assert.equal((await first.exit()).code, 0)
    const second = start({ mode: 'deliver', port: up.port })
    assert.equal((await second.exit()).code, 0)
    const got = messages(up)
    assert.deepEqual([...new Set(got)].sort(), range('e', 4000).sort())
    // A batch the kernel had taken but whose send had not returned yet is sent again.
    assert.ok(got.length - 4000 <= batchSize, `${got.length - 4000} events arrived twice`)
  })

  it('delivers every event of two processes sharing one file once while the receiver restarts', async () => {
    const up = await receiver()
    const options = { batchSize: 100, flushCount: 100, flushIntervalMs: 20, retry: { initialDelayMs: 10, maxDelayMs: 100 }, closeTimeoutMs: 30_000 }
    const a = start({ mode: 'paced', port: up.port, prefix: 'a', count: 3000, chunk: 50, options })
    const b = start({ mode: 'paced', port: up.port, prefix: 'b', count: 3000, chunk: 50, options })
    const failures = (): number => [a, b].reduce((n, c) => n + c.lines.filter((line) => line.startsWith('report LOGSTASH_TRANSPORT')).length, 0)
    const running = (): boolean => a.child.exitCode === null || b.child.exitCode === null
    for (let flap = 1; flap <= 3 && running(); flap++) {
      await up.waitForEvents(Math.min(flap * 1200, 6000), 30_000)
      const before = failures()
      await up.stop()
      // Down until a sender noticed (or both are done): each outage makes sends fail.
      await waitFor(() => failures() > before || !running(), { timeoutMs: 20_000, message: 'a failed send during the outage' })
      await up.listen()
    }
    assert.equal((await a.exit()).code, 0)
    assert.equal((await b.exit()).code, 0)
    assert.ok(failures() > 0, 'the receiver went down while they were sending')
    const got = messages(up)
    assert.equal(new Set(got).size, got.length, 'an event arrived twice')
    assert.deepEqual([...got].sort(), [...range('a', 3000), ...range('b', 3000)].sort())
  })
})
