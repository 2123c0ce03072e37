import assert from 'node:assert/strict'
import { TcpTransport } from '@logstash-async/core'
import { TcpReceiver } from '../../../../test/helpers/tcp-receiver'
import { waitFor } from '../../../../test/helpers/wait'
import { tcpOptions } from '../../../../test/helpers/resolved-options'

// How TcpTransport encodes a batch: one buffer of UTF-8 JSON lines, reused between sends.
describe('TcpTransport batch encoding', () => {
  let receiver: TcpReceiver
  let transport: TcpTransport

  beforeEach(async () => {
    receiver = await TcpReceiver.start()
    transport = new TcpTransport(tcpOptions({ host: '127.0.0.1', port: receiver.port }))
  })

  afterEach(async () => {
    await transport.close()
    await receiver.close()
  })

  const event = (text: string): string => JSON.stringify({ message: text })

  it('writes multi-byte characters as UTF-8 and a lone surrogate as U+FFFD', async () => {
    // JSON.stringify escapes a lone surrogate; a custom formatter might not.
    await transport.send([event('héllo ✓ 😀'), '{"message":"a\ud800b"}', event('plain')])
    await waitFor(() => receiver.lines.length >= 3)
    assert.deepEqual(receiver.events.map((e) => e.message), ['héllo ✓ 😀', 'a\ufffdb', 'plain'])
    assert.deepEqual(receiver.invalid, [])
  })

  it('keeps every batch intact when a shorter one follows a longer one', async () => {
    const long = Array.from({ length: 50 }, (_, i) => event(`long ${i} ${'x'.repeat(200)}`))
    const short = [event('short 1'), event('short 2')]
    await transport.send(long)
    await transport.send(short)
    await waitFor(() => receiver.lines.length >= 52)
    assert.deepEqual(receiver.invalid, [])
    assert.deepEqual(receiver.events.slice(50).map((e) => e.message), ['short 1', 'short 2'])
  })

  it('keeps concurrent batches intact, each written whole', async () => {
    // The second send is encoded while the first one's buffer is still in use.
    const a = Array.from({ length: 1500 }, (_, i) => event(`a ${i} ${'é'.repeat(1000)}`))
    const b = Array.from({ length: 1500 }, (_, i) => event(`b ${i} ${'ü'.repeat(1000)}`))
    await Promise.all([transport.send(a), transport.send(b)])
    await waitFor(() => receiver.lines.length >= 3000)
    assert.deepEqual(receiver.invalid, [])
    const expected = [...a, ...b].map((line) => (JSON.parse(line) as { message: string }).message)
    assert.deepEqual(receiver.events.map((e) => e.message), expected)
  })

  it('sends a batch larger than the buffer it keeps (4 MiB) in one piece', async () => {
    const big = Array.from({ length: 100 }, (_, i) => event(`${i} ${'z'.repeat(50_000)}`))
    await transport.send(big)
    await transport.send([event('after')])
    await waitFor(() => receiver.lines.length >= 101)
    assert.deepEqual(receiver.invalid, [])
    assert.equal(receiver.events[99]?.message, `99 ${'z'.repeat(50_000)}`)
    assert.equal(receiver.events[100]?.message, 'after')
  })
})
