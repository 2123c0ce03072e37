import assert from 'node:assert/strict'
import { BeatsReceiver } from '../helpers/beats-receiver'
import { FixtureProcess } from '../helpers/child-process'
import { HttpReceiver } from '../helpers/http-receiver'
import { TcpReceiver } from '../helpers/tcp-receiver'

const COUNT = 200_000

/** The `seq` field of an event as the formatter wrote it (`"seq":12`), without parsing it all. */
function seqOf (event: string): number {
  const at = event.indexOf('"seq":')
  return Number.parseInt(event.slice(at + 6, at + 16), 10)
}

/** Asserts every seq 0..COUNT-1 once, in order within each connection. */
function assertAllOnceInOrder (byConnection: Map<number, number[]>): void {
  let total = 0
  const seen = new Uint8Array(COUNT)
  for (const [connection, seqs] of byConnection) {
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i] as number
      assert.ok(seq >= 0 && seq < COUNT, `unexpected seq ${seq}`)
      assert.equal(seen[seq], 0, `seq ${seq} twice`)
      seen[seq] = 1
      if (i > 0) assert.ok(seq > (seqs[i - 1] as number), `connection ${connection}: seq ${seq} after ${seqs[i - 1]}`)
    }
    total += seqs.length
  }
  assert.equal(total, COUNT)
}

function push (map: Map<number, number[]>, connection: number, seq: number): void {
  let list = map.get(connection)
  if (list === undefined) map.set(connection, list = [])
  list.push(seq)
}

// The burst: 200,000 events logged as fast as the application can, with the
// handler's default options, against receivers on loopback. The handler runs in a process
// of its own, as the benchmark's does, so the receiver does not take turns from it, and with
// a lower priority, so that on a busy machine the receiver keeps up as Logstash would.
describe('a burst of 200,000 events with default options', function () {
  this.timeout(60_000)
  let receiver: TcpReceiver | BeatsReceiver | HttpReceiver | undefined
  let child: FixtureProcess | undefined

  afterEach(async () => {
    await child?.kill()
    await receiver?.close()
    receiver = child = undefined
  })

  async function burst (transport: string, port: number, ...extra: string[]): Promise<Record<string, unknown>> {
    // The receiver must not be what limits the burst: it gets the CPU first.
    child = new FixtureProcess('burst-child.js', [transport, String(port), String(COUNT), ...extra], { niceness: 10 })
    const exit = await child.exit(50_000)
    assert.deepEqual(exit, { code: 0, signal: null }, child.stderr)
    // With `peakWaiting`: how close the burst came to the cache's bound (100,000).
    return JSON.parse(child.lines[0] ?? '{}') as Record<string, unknown>
  }

  function assertStats (stats: Record<string, unknown>): void {
    assert.deepEqual({ sent: stats.sent, dropped: stats.dropped, queued: stats.queued, inFlight: stats.inFlight, failedSends: stats.failedSends },
      { sent: COUNT, dropped: 0, queued: 0, inFlight: 0, failedSends: 0 }, JSON.stringify(stats))
  }

  it('tcp: all delivered, none dropped or twice, in order on each connection', async () => {
    const tcp = receiver = await TcpReceiver.start({ parseOnRead: true })
    assertStats(await burst('tcp', tcp.port))
    await tcp.waitForEvents(COUNT, 20_000)
    const byConnection = new Map<number, number[]>()
    tcp.lines.forEach((line, i) => push(byConnection, tcp.lineConnections[i] as number, seqOf(line)))
    assert.deepEqual(tcp.invalid, [])
    assertAllOnceInOrder(byConnection)
  })

  for (const [name, level] of [['beats (compressed, the default)', undefined], ['beats plain', '0']] as const) {
    it(`${name}: all acknowledged, none dropped or twice, in order on each connection`, async () => {
      const beats = receiver = await BeatsReceiver.start()
      assertStats(await burst('beats', beats.port, ...(level === undefined ? [] : [level])))
      assert.deepEqual(beats.errors, [])
      const byConnection = new Map<number, number[]>()
      for (const window of beats.windows) {
        assert.equal(window.compressed, level === undefined)
        for (const payload of window.payloads) push(byConnection, window.connection, seqOf(payload))
      }
      assertAllOnceInOrder(byConnection)
    })
  }

  it('http: all accepted, none dropped or twice, in order on each connection', async () => {
    const http = receiver = await HttpReceiver.start()
    assertStats(await burst('http', http.port))
    const byConnection = new Map<number, number[]>()
    for (const request of http.requests) {
      assert.equal(request.status, 200)
      for (const event of JSON.parse(request.body) as Array<{ extra: { seq: number } }>) push(byConnection, request.connection, event.extra.seq)
    }
    assertAllOnceInOrder(byConnection)
  })
})
