import assert from 'node:assert/strict'
import { HttpTransport } from '@logstash-async/core'
import { HttpReceiver } from '../../../../test/helpers/http-receiver'
import { httpOptions } from '../../../../test/helpers/resolved-options'

const event = (text: string): string => JSON.stringify({ message: text })

// How HttpTransport encodes a request body: one UTF-8 JSON array written into a buffer kept
// between requests, without joining the events into one string first.
describe('HttpTransport body encoding', () => {
  let receiver: HttpReceiver
  let transport: HttpTransport | undefined

  beforeEach(async () => {
    receiver = await HttpReceiver.start()
  })

  afterEach(async () => {
    await transport?.close()
    await receiver.close()
    transport = undefined
  })

  const start = (options: Partial<ConstructorParameters<typeof HttpTransport>[0]> = {}): HttpTransport => {
    transport = new HttpTransport(httpOptions({ host: receiver.host, port: receiver.port, timeoutMs: 5000, ...options }))
    return transport
  }

  it('keeps every body intact when a shorter batch follows a longer one', async () => {
    const transport = start()
    const long = Array.from({ length: 50 }, (_, i) => event(`long ${i} ${'x'.repeat(200)}`))
    const short = [event('short 1'), event('short 2')]
    await transport.send(long)
    await transport.send(short)
    assert.equal(receiver.requests[1]?.body, '[' + short.join(',') + ']')
    assert.deepEqual(receiver.payloads, [...long, ...short])
  })

  it('keeps concurrent batches intact, each posted whole', async () => {
    // The second body is encoded while the first one's buffer is still in use.
    const transport = start()
    const a = Array.from({ length: 300 }, (_, i) => event(`a ${i} ${'é'.repeat(1000)}`))
    const b = Array.from({ length: 300 }, (_, i) => event(`b ${i} ${'ü'.repeat(1000)}`))
    await Promise.all([transport.send(a), transport.send(b)])
    assert.deepEqual(receiver.requests.map((r) => r.body).sort(), ['[' + a.join(',') + ']', '[' + b.join(',') + ']'])
  })

  it('posts a batch in one request when its UTF-8 bytes fit http.maxContentLength, though three bytes per character would not', async () => {
    const sent = Array.from({ length: 10 }, (_, i) => event(`${i} ${'a'.repeat(100)}`))
    const bytes = Buffer.byteLength('[' + sent.join(',') + ']')
    const transport = start({ maxContentLength: bytes })
    await transport.send(sent)
    assert.equal(receiver.requests.length, 1)
    assert.deepEqual(receiver.payloads, sent)
  })

  it('posts a gzipped body intact after the buffer it was encoded in was reused', async () => {
    const transport = start({ gzip: true })
    const first = Array.from({ length: 20 }, (_, i) => event(`first ${i} ${'q'.repeat(300)}`))
    const second = [event('second ✓')]
    await transport.send(first)
    await transport.send(second)
    assert.deepEqual(receiver.payloads, [...first, ...second])
  })

  it('posts a batch larger than the buffer it keeps (4 MiB) in one piece', async () => {
    const transport = start()
    const big = Array.from({ length: 30 }, (_, i) => event(`${i} ${'z'.repeat(50_000)}`))
    await transport.send(big)
    await transport.send([event('after')])
    assert.equal(receiver.requests.length, 2)
    assert.deepEqual(receiver.payloads, [...big, event('after')])
  })
})
