import assert from 'node:assert/strict'
import {
  createLogger, DroppedEventsError, LogstashHandler, MAX_DATAGRAM_BYTES, UdpTransport, type LogstashError
} from '@logstash-async/core'
import { UdpReceiver } from '../../../../test/helpers/udp-receiver'

function numbered (from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ n: from + i }))
}

/** A JSON event of exactly `bytes` bytes. */
function eventOfSize (n: number, bytes: number): string {
  const empty = JSON.stringify({ n, padding: '' })
  return JSON.stringify({ n, padding: 'x'.repeat(bytes - empty.length) })
}

describe('UdpTransport', () => {
  let receiver: UdpReceiver | undefined
  let transport: UdpTransport | undefined
  let handler: LogstashHandler | undefined

  afterEach(async () => {
    await handler?.close()
    await transport?.close()
    await receiver?.close()
    receiver = transport = handler = undefined
  })

  async function start (): Promise<{ receiver: UdpReceiver, transport: UdpTransport }> {
    receiver = await UdpReceiver.start()
    transport = new UdpTransport({ host: '127.0.0.1', port: receiver.port })
    return { receiver, transport }
  }

  it('sends one newline-terminated datagram per event', async () => {
    const { receiver, transport } = await start()
    const batch = numbered(0, 20)
    await transport.send(batch)
    await receiver.waitForEvents(20)
    assert.deepEqual(receiver.datagrams.map((d) => d.toString('utf8')).sort(), batch.map((e) => e + '\n').sort())
    assert.deepEqual(receiver.invalid, [])
  })

  it('sends an event that exactly fills a datagram', async () => {
    const { receiver, transport } = await start()
    const largest = eventOfSize(0, MAX_DATAGRAM_BYTES - 1)
    const outcome = await transport.send([largest])
    assert.equal(outcome?.dropped ?? 0, 0)
    await receiver.waitForEvents(1)
    assert.equal(receiver.datagrams[0]?.length, MAX_DATAGRAM_BYTES)
  })

  it('drops an event larger than a datagram and reports it in the outcome', async () => {
    const { receiver, transport } = await start()
    const tooLarge = eventOfSize(1, MAX_DATAGRAM_BYTES)
    const outcome = await transport.send([JSON.stringify({ n: 0 }), tooLarge, JSON.stringify({ n: 2 })])
    assert.equal(outcome?.dropped, 1)
    assert.ok(outcome?.error instanceof DroppedEventsError)
    assert.equal(outcome.error.count, 1)
    assert.equal(outcome.error.code, 'LOGSTASH_TOO_LARGE')
    await receiver.waitForEvents(2)
    assert.deepEqual(receiver.events.map((e) => e.n).sort(), [0, 2])
  })

  it('sends to ::1 over IPv6', async function () {
    try {
      receiver = await UdpReceiver.start({ host: '::1', type: 'udp6' })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') this.skip()
      throw err
    }
    transport = new UdpTransport({ host: '::1', port: receiver.port })
    await transport.send(numbered(0, 3))
    await receiver.waitForEvents(3)
  })

  it('shortens a huge event logged through a udp handler so it still arrives as JSON', async () => {
    const errors: LogstashError[] = []
    receiver = await UdpReceiver.start()
    handler = new LogstashHandler({ transport: 'udp', host: '127.0.0.1', port: receiver.port, onError: (err) => errors.push(err) })
    const log = createLogger({ handler })
    log.info('x'.repeat(300_000), { big: 'y'.repeat(100_000), list: Array.from({ length: 5000 }, (_, i) => i) })
    assert.equal(await handler.flush(), true)
    const [event] = await receiver.waitForEvents(1)
    assert.ok(receiver.datagrams[0] !== undefined && receiver.datagrams[0].length <= MAX_DATAGRAM_BYTES)
    assert.deepEqual(receiver.invalid, [])
    const extra = event?.extra as { truncated?: { original_bytes: number, max_event_bytes: number } } | undefined
    assert.ok(extra?.truncated !== undefined, 'the event says it was shortened')
    assert.ok(extra.truncated.original_bytes > MAX_DATAGRAM_BYTES)
    assert.ok(typeof event?.message === 'string' && event.message.startsWith('xxx'))
    const stats = handler.stats()
    assert.equal(stats.sent, 1)
    assert.equal(stats.dropped, 0)
    assert.deepEqual(errors, [])
  })
})
