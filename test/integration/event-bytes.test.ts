import assert from 'node:assert/strict'
import { createLogger, LogstashHandler } from '@logstash-async/core'
import { testPki } from '../helpers/certs'
import { received } from '../helpers/delivery-checks'
import { RECEIVER_KINDS, type AnyReceiver } from '../helpers/receiver-kinds'
import { UdpReceiver } from '../helpers/udp-receiver'

// The memory cache keeps its events as UTF-8 outside V8's heap and the transports copy those
// bytes into their frames (tcp: lines, http: a JSON array, beats: 2J frames, plain and
// compressed); UDP reads them back as strings. Whatever the characters and sizes, what
// arrives must be what was logged, in order.
const TRICKY = [
  'plain ascii',
  'Grüße aus Köln, 東京, Ελληνικά',
  'emoji 🚀👩‍💻 and a lone surrogate \ud800 too',
  '"quotes", \\backslashes\\, a\nnewline, a\ttab and \u0000 a NUL',
  '',
  // 180 KB each (within the formatter's 100,000 characters per string): together more than
  // one arena chunk of 1 MiB, so a batch spans two.
  ...Array.from({ length: 8 }, (_, k) => `big${k} ${'ü'.repeat(90_000)}`)
]
const MESSAGES = [...TRICKY, ...Array.from({ length: 300 }, (_, i) => `n${i} ✓`)]

// A lone surrogate cannot be UTF-8: the formatter escapes it in the JSON, so it arrives as sent.
describe('events logged with any characters and sizes arrive as logged, through the memory cache', function () {
  this.timeout(30_000)
  let handler: LogstashHandler | undefined
  let receiver: AnyReceiver | undefined

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
    handler = undefined
    receiver = undefined
  })

  for (const kind of RECEIVER_KINDS) {
    for (const compressionLevel of kind.transport === 'beats' ? [undefined, 0] : [undefined]) {
      it(`${kind.name}${compressionLevel === 0 ? ' (plain)' : ''}`, async () => {
        receiver = await kind.start()
        handler = new LogstashHandler({
          transport: kind.transport,
          host: '127.0.0.1',
          port: receiver.port,
          ...(kind.tls ? { tls: { ca: testPki().ca } } : {}),
          ...(compressionLevel === undefined ? {} : { beats: { compressionLevel } }),
          batchSize: 50,
          flushIntervalMs: 10
        })
        const log = createLogger({ handler })
        for (const message of MESSAGES) log.info(message)
        await received([receiver], MESSAGES.length)
        const got = receiver.messages()
        assert.equal(got.length, MESSAGES.length)
        for (const [i, message] of MESSAGES.entries()) {
          assert.ok(got[i] === message, `message ${i}: ${JSON.stringify(got[i]?.slice(0, 40))}... (${got[i]?.length} characters), expected ${JSON.stringify(message.slice(0, 40))}... (${message.length})`)
        }
      })
    }
  }

  it('udp', async () => {
    const udp = await UdpReceiver.start()
    try {
      handler = new LogstashHandler({ transport: 'udp', host: '127.0.0.1', port: udp.port, batchSize: 50, flushIntervalMs: 10 })
      const log = createLogger({ handler })
      const small = MESSAGES.filter((m) => Buffer.byteLength(m) < 1000)
      for (const message of small) log.info(message)
      const events = await udp.waitForEvents(small.length)
      assert.deepEqual(events.map((e) => e.message), small)
    } finally {
      await udp.close()
    }
  })
})
