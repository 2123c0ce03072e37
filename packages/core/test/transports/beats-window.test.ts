import assert from 'node:assert/strict'
import { BeatsTransport } from '@logstash-async/core'
import { BeatsReceiver } from '../../../../test/helpers/beats-receiver'
import { beatsOptions } from '../../../../test/helpers/resolved-options'

const event = (text: string): string => JSON.stringify({ message: text })

// How BeatsTransport encodes a window: the J frames written into a buffer kept between
// windows, each event's length field filled in after the event was written.
describe('BeatsTransport window encoding', () => {
  let receiver: BeatsReceiver
  let transport: BeatsTransport | undefined

  beforeEach(async () => {
    receiver = await BeatsReceiver.start()
  })

  afterEach(async () => {
    await transport?.close()
    await receiver.close()
    transport = undefined
  })

  for (const compressionLevel of [0, 6]) {
    const kind = compressionLevel === 0 ? 'plain' : 'compressed'

    it(`gives multi-byte characters their UTF-8 length in ${kind} frames`, async () => {
      transport = new BeatsTransport(beatsOptions({ host: receiver.host, port: receiver.port, timeoutMs: 2000, compressionLevel }))
      const sent = [event('héllo ✓ 😀'), event('日本語'.repeat(100)), event('plain')]
      await transport.send(sent)
      assert.deepEqual(receiver.errors, [])
      assert.deepEqual(receiver.acked, sent)
    })

    it(`keeps every ${kind} window intact when a shorter one follows a longer one`, async () => {
      transport = new BeatsTransport(beatsOptions({ host: receiver.host, port: receiver.port, timeoutMs: 2000, compressionLevel }))
      const long = Array.from({ length: 50 }, (_, i) => event(`long ${i} ${'x'.repeat(200)}`))
      const short = [event('short 1'), event('short 2')]
      await transport.send(long)
      await transport.send(short)
      assert.deepEqual(receiver.errors, [])
      assert.deepEqual(receiver.acked, [...long, ...short])
      assert.deepEqual(receiver.windows.map((w) => w.count), [50, 2])
    })

    it(`sends a ${kind} window larger than the buffer it keeps (4 MiB) in one piece`, async () => {
      transport = new BeatsTransport(beatsOptions({ host: receiver.host, port: receiver.port, timeoutMs: 5000, compressionLevel }))
      const big = Array.from({ length: 30 }, (_, i) => event(`${i} ${'z'.repeat(50_000)}`))
      await transport.send(big)
      await transport.send([event('after')])
      assert.deepEqual(receiver.errors, [])
      assert.deepEqual(receiver.acked, [...big, event('after')])
    })
  }
})
