import assert from 'node:assert/strict'
import { createLogger, DroppedEventsError, LogstashHandler, type LogstashError } from '@logstash-async/core'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { waitFor } from '../helpers/wait'

describe('the cache bound while the receiver is down', () => {
  const maxEvents = 100
  const total = 1000
  let receiver: TcpReceiver | undefined
  let handler: LogstashHandler | undefined
  let errors: LogstashError[] = []

  beforeEach(async () => {
    receiver = await TcpReceiver.start()
    await receiver.kill()
    errors = []
    handler = new LogstashHandler({
      host: '127.0.0.1',
      port: receiver.port,
      cache: { maxEvents },
      closeTimeoutMs: 200,
      batchSize: 30,
      flushIntervalMs: 5,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
      errorRateLimit: Infinity,
      onError: (err) => errors.push(err)
    })
  })

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
    receiver = handler = undefined
  })

  /** Logs `total` numbered events in chunks, letting failed sends and retries run in between. */
  async function logPastTheBound (): Promise<number> {
    assert.ok(handler !== undefined)
    const log = createLogger({ handler })
    let highest = 0
    const held = (): number => {
      const { queued, inFlight } = handler?.stats() ?? { queued: 0, inFlight: 0 }
      highest = Math.max(highest, queued + inFlight)
      return inFlight
    }
    for (let seq = 0; seq < total;) {
      const failed = handler.stats().failedSends
      const failedAgain = (): boolean => handler?.stats().failedSends !== failed
      // Half of the chunk while nothing is in flight, half while a send is trying (when
      // the connection attempt lasts long enough to be seen), then wait for it to fail.
      for (const end = seq + 25; seq < end; seq++) log.info(`event ${seq}`, { seq })
      held()
      await waitFor(() => held() > 0 || failedAgain(), { message: 'a send under way' })
      for (const end = seq + 25; seq < end; seq++) log.info(`event ${seq}`, { seq })
      held()
      await waitFor(failedAgain, { message: 'a failed send' })
      held()
    }
    return highest
  }

  it('never holds more than maxEvents, plus the one batch on the wire', async () => {
    const highest = await logPastTheBound()
    assert.ok(highest >= maxEvents && highest <= maxEvents + 30, `held at most ${highest}`)
    const { queued, inFlight } = handler?.stats() ?? {}
    assert.equal((queued ?? 0) + (inFlight ?? 0), maxEvents)
  })

  it('counts exactly the events it dropped', async () => {
    await logPastTheBound()
    assert.equal(handler?.stats().dropped, total - maxEvents)
  })

  it('delivers what it kept, in order, once the receiver is back, and accounts for every event', async () => {
    assert.ok(handler !== undefined && receiver !== undefined)
    await logPastTheBound()
    await receiver.listen()
    assert.equal(await handler.flush(), true)
    const events = await receiver.waitForEvents(maxEvents)
    const seqs = events.map((e) => (e.extra as { seq: number }).seq)
    assert.equal(seqs.length, maxEvents)
    // Exactly the newest maxEvents: no gaps left by events dropped while a batch was on the wire.
    assert.deepEqual(seqs, Array.from({ length: maxEvents }, (_, i) => total - maxEvents + i))
    const stats = handler.stats()
    assert.equal(stats.sent, maxEvents)
    assert.equal(stats.sent + stats.dropped, total)
  })

  it('reports the drops to onError with their exact count', async () => {
    assert.ok(handler !== undefined && receiver !== undefined)
    await logPastTheBound()
    await receiver.listen()
    assert.equal(await handler.flush(), true)
    await Promise.resolve()
    const reported = errors
      .filter((err): err is DroppedEventsError => err instanceof DroppedEventsError && err.code === 'LOGSTASH_CACHE_FULL')
      .reduce((sum, err) => sum + err.count, 0)
    assert.equal(reported, total - maxEvents)
  })
})
