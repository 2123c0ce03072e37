import assert from 'node:assert/strict'
import { createLogger, DroppedEventsError, LogstashHandler, type LogstashError } from '@logstash-async/core'
import { TcpReceiver } from '../helpers/tcp-receiver'

describe('close() while the receiver is down', () => {
  const closeTimeoutMs = 200
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
      closeTimeoutMs,
      flushIntervalMs: 10,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      errorRateLimit: Infinity,
      onError: (err) => errors.push(err)
    })
    const log = createLogger({ handler })
    for (let seq = 0; seq < 25; seq++) log.info(`event ${seq}`, { seq })
  })

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
    receiver = handler = undefined
  })

  it('returns within about closeTimeoutMs', async () => {
    assert.ok(handler !== undefined)
    const started = performance.now()
    await handler.close()
    const elapsed = performance.now() - started
    // Generous: this guards against a close() that waits for the retries (forever), not
    // against a slow machine.
    assert.ok(elapsed < closeTimeoutMs + 3000, `close() took ${Math.round(elapsed)} ms`)
  })

  it('counts the undelivered events as dropped and reports them', async () => {
    assert.ok(handler !== undefined)
    await handler.close()
    const stats = handler.stats()
    assert.deepEqual({ queued: stats.queued, inFlight: stats.inFlight, sent: stats.sent, dropped: stats.dropped },
      { queued: 0, inFlight: 0, sent: 0, dropped: 25 })
    await Promise.resolve() // reports reach onError in a microtask
    const report = errors.find((err) => err.code === 'LOGSTASH_CLOSE_UNDELIVERED')
    assert.ok(report instanceof DroppedEventsError, `reports: ${errors.map((e) => e.code).join(', ')}`)
    assert.equal(report.count, 25)
  })

  it('resolves a second close() the same way', async () => {
    assert.ok(handler !== undefined)
    const first = handler.close()
    const second = handler.close()
    assert.equal(first, second)
    await second
    assert.equal(handler.stats().dropped, 25)
  })
})

describe('close() while a write is stuck', () => {
  const closeTimeoutMs = 200
  let receiver: TcpReceiver | undefined
  let handler: LogstashHandler | undefined

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
    receiver = handler = undefined
  })

  it('returns within about closeTimeoutMs and accounts for every event', async () => {
    receiver = await TcpReceiver.start()
    // A receiver that accepts the connection but never reads: after the kernel buffers
    // (a few MB) the write waits for good.
    receiver.pauseReading()
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, closeTimeoutMs, timeoutMs: 60_000, onError: () => {} })
    const log = createLogger({ handler })
    const count = 16
    // Ten values of 100,000 characters (the most one string may have): events of about 1 MB.
    const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`part${i}`, 'x'.repeat(100_000)]))
    for (let seq = 0; seq < count; seq++) log.info('big', { ...big, seq })
    const started = performance.now()
    await handler.close()
    const elapsed = performance.now() - started
    // closeTimeoutMs, then at most a second for the transport to give up the connection.
    assert.ok(elapsed < closeTimeoutMs + 1000 + 3000, `close() took ${Math.round(elapsed)} ms`)
    const stats = handler.stats()
    assert.equal(stats.queued + stats.inFlight, 0)
    assert.equal(stats.sent + stats.dropped, count)
    assert.ok(stats.dropped > 0, 'the stuck batch counts as dropped')
  })
})
