import assert from 'node:assert/strict'
import { createLogger, LogstashHandler } from '@logstash-async/core'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { waitFor } from '../helpers/wait'

// Logstash stops reading its tcp input while its pipeline is full: normal flow control. The
// issue's case is a 10 s stall with the default timeoutMs (5 s); here the stall lasts 2 s,
// six times a timeoutMs of 300 ms, which is what matters (bench/delivery.js runs the 10 s
// stall with the defaults).
describe('a TCP receiver that stops reading for a while', function () {
  this.timeout(30_000)
  let receiver: TcpReceiver | undefined
  let handler: LogstashHandler | undefined
  let timer: NodeJS.Timeout | undefined

  afterEach(async () => {
    clearInterval(timer)
    receiver?.resumeReading()
    await handler?.close()
    await receiver?.close()
    receiver = handler = undefined
  })

  it('is waited for: no duplicates, no cut lines, one connection, every event in order', async () => {
    const r = receiver = await TcpReceiver.start()
    const h = handler = new LogstashHandler({ host: '127.0.0.1', port: r.port, timeoutMs: 300, onError: () => {} })
    const log = createLogger({ handler: h })
    const padding = 'x'.repeat(10_000)
    let logged = 0
    // About 20 MB/s: the kernel buffers on both sides (a few MB) fill within the stall.
    timer = setInterval(() => { for (let i = 0; i < 100; i++) log.info(`e${logged++}`, { padding }) }, 50)

    await r.waitForEvents(200)
    r.pauseReading()
    const states: string[] = []
    await waitFor(() => { states.push(h.stats().hosts[0]?.state ?? ''); return states.at(-1) === 'stalled' }, { timeoutMs: 10_000, message: 'the host seen stalled' })
    const stalledAt = Date.now()
    await waitFor(() => Date.now() - stalledAt >= 2000, { timeoutMs: 5000, message: 'two seconds of stall' })
    r.resumeReading()
    clearInterval(timer)

    assert.equal(await h.flush(), true)
    await r.waitForEvents(logged, 20_000)
    const messages = r.events.map((e) => e.message)
    assert.deepEqual(r.invalid, [], 'no line cut short')
    assert.equal(new Set(messages).size, messages.length, 'no event twice')
    assert.deepEqual(messages, Array.from({ length: logged }, (_, i) => `e${i}`))
    assert.equal(r.connections, 1)
    const stats = h.stats()
    assert.deepEqual({ failedSends: stats.failedSends, dropped: stats.dropped, sent: stats.sent, state: stats.hosts[0]?.state }, { failedSends: 0, dropped: 0, sent: logged, state: 'active' })
  })
})
