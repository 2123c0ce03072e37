import assert from 'node:assert/strict'
import { TcpTransport, TransportError } from '@logstash-async/core'
import { ClientSocketWatch } from '../../../../test/helpers/client-sockets'
import { TcpReceiver } from '../../../../test/helpers/tcp-receiver'
import { retryableWith } from '../../../../test/helpers/transport-errors'
import { waitFor } from '../../../../test/helpers/wait'
import { tcpOptions } from '../../../../test/helpers/resolved-options'

function numbered (from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ n: from + i, message: `event ${from + i}` }))
}

// Several times what loopback's kernel buffers hold (3 to 6 MB here), so a receiver that
// does not read makes the sender wait.
const LARGE_EVENT_COUNT = 512
let largeBatch: string[] | undefined
function largeEvents (): string[] {
  const padding = 'x'.repeat(32 * 1024)
  largeBatch ??= Array.from({ length: LARGE_EVENT_COUNT }, (_, n) => `{"n":${n},"padding":"${padding}"}`)
  return largeBatch
}

describe('TcpTransport', () => {
  let receiver: TcpReceiver | undefined
  let transport: TcpTransport | undefined
  let watch: ClientSocketWatch | undefined

  afterEach(async () => {
    watch?.dispose()
    await transport?.close()
    await receiver?.close()
    receiver = transport = watch = undefined
  })

  async function start (options: { host?: string, timeoutMs?: number } = {}): Promise<{ receiver: TcpReceiver, transport: TcpTransport }> {
    receiver = await TcpReceiver.start(options.host === undefined ? {} : { host: options.host })
    transport = new TcpTransport(tcpOptions({ host: receiver.host, port: receiver.port, timeoutMs: options.timeoutMs ?? 5000 }))
    return { receiver, transport }
  }

  it('sends a batch as JSON lines, in order', async () => {
    const { receiver, transport } = await start()
    const batch = numbered(0, 50)
    await transport.send(batch)
    await receiver.waitForEvents(50)
    assert.deepEqual(receiver.lines, batch)
    assert.deepEqual(receiver.invalid, [])
  })

  it('writes each batch with a single write on one connection', async () => {
    watch = new ClientSocketWatch()
    const { receiver, transport } = await start()
    await transport.send(numbered(0, 200))
    await transport.send(numbered(200, 200))
    await receiver.waitForEvents(400)
    assert.equal(watch.sockets.length, 1)
    assert.equal(watch.writes, 2)
    assert.equal(receiver.connections, 1)
  })

  it('resolves an empty batch without connecting', async () => {
    const { receiver, transport } = await start()
    await transport.send([])
    assert.equal(receiver.connections, 0)
  })

  it('opens a new connection when the server closed the old one', async () => {
    const { receiver, transport } = await start()
    await transport.send(numbered(0, 1))
    await receiver.waitForEvents(1)
    // The server's FIN is in our kernel at once; the next send must see it and not write
    // into the dead connection, where the batch would vanish.
    receiver.dropConnections()
    await transport.send(numbered(1, 1))
    await receiver.waitForEvents(2)
    assert.deepEqual(receiver.events.map((e) => e.n), [0, 1])
    assert.equal(receiver.connections, 2)
  })

  it('reconnects after the server restarted on the same port', async () => {
    const { receiver, transport } = await start()
    await transport.send(numbered(0, 10))
    await receiver.waitForEvents(10)
    const port = receiver.port
    await receiver.kill()
    await receiver.listen(port)
    await transport.send(numbered(10, 10))
    await receiver.waitForEvents(20)
    assert.deepEqual(receiver.events.map((e) => e.n), Array.from({ length: 20 }, (_, i) => i))
    assert.equal(receiver.port, port)
  })

  it('rejects with a retryable TransportError when the connection is refused', async () => {
    const { receiver, transport } = await start()
    await receiver.kill()
    await assert.rejects(transport.send(numbered(0, 1)), retryableWith('ECONNREFUSED'))
  })

  it('sends again once a refused server is back', async () => {
    const { receiver, transport } = await start()
    await receiver.kill()
    await assert.rejects(transport.send(numbered(0, 1)), TransportError)
    await receiver.listen()
    await transport.send(numbered(0, 1))
    await receiver.waitForEvents(1)
  })

  it('connects over IPv6 to ::1', async function () {
    try {
      await start({ host: '::1' })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') this.skip()
      throw err
    }
    assert.ok(receiver !== undefined && transport !== undefined)
    await transport.send(numbered(0, 3))
    await receiver.waitForEvents(3)
    assert.equal(receiver.sockets.values().next().value?.remoteAddress, '::1')
  })

  it('resolves a send only after a receiver that stopped reading reads again', async () => {
    watch = new ClientSocketWatch()
    const { receiver, transport } = await start({ timeoutMs: 60_000 })
    receiver.pauseReading()
    let resolved = false
    const sending = transport.send(largeEvents()).then(() => { resolved = true })
    // Bytes waiting in the socket itself mean the kernel's buffers are full.
    await waitFor(() => (watch?.sockets[0]?.writableLength ?? 0) > 0 || resolved, { message: 'a full kernel buffer' })
    assert.equal(resolved, false, 'send resolved while the receiver was not reading')
    receiver.resumeReading()
    await sending
    await receiver.waitForEvents(LARGE_EVENT_COUNT)
    assert.deepEqual(receiver.invalid, [])
  })

  it('marks a write the receiver does not take for timeoutMs as stalled, not failed, and completes it when it reads again', async () => {
    receiver = await TcpReceiver.start()
    const stalls: boolean[] = []
    transport = new TcpTransport(tcpOptions({ host: receiver.host, port: receiver.port, timeoutMs: 200 }), { onStall: (stalled) => stalls.push(stalled) })
    receiver.pauseReading()
    let resolved = false
    const sending = transport.send(largeEvents()).then(() => { resolved = true })
    await waitFor(() => stalls.length > 0, { message: 'a stall' })
    assert.deepEqual(stalls, [true])
    assert.equal(transport.stalled, true)
    assert.equal(resolved, false)
    receiver.resumeReading()
    await sending
    assert.deepEqual(stalls, [true, false])
    await receiver.waitForEvents(LARGE_EVENT_COUNT)
    assert.deepEqual(receiver.invalid, [])
    assert.equal(receiver.connections, 1)
  })

  it('sends again only the lines the kernel had not taken in full when the connection died: none twice', async () => {
    receiver = await TcpReceiver.start()
    transport = new TcpTransport(tcpOptions({ host: receiver.host, port: receiver.port }))
    const batch = largeEvents()
    // The receiver dies after reading part of the batch, as a crashed Logstash would.
    const killed = receiver.killWhen(() => (receiver?.lines.length ?? 0) >= 40)
    const error = await transport.send(batch).then(() => undefined, (err: unknown) => err as TransportError)
    await killed
    assert.ok(error instanceof TransportError && error.retryable, `the send failed: ${String(error)}`)
    const settled = error.settled?.count ?? 0
    const received = receiver.lines.length
    // What the kernel had taken counts as delivered, and what the receiver read is within it.
    assert.ok(settled >= received && settled < batch.length, `settled ${settled}, received ${received}`)
    await receiver.listen()
    await transport.send(batch.slice(settled))
    await receiver.waitForEvents(received + batch.length - settled)
    const numbers = receiver.events.map((e) => e.n as number)
    assert.equal(new Set(numbers).size, numbers.length, 'no line twice')
    assert.deepEqual(receiver.invalid.filter((line) => !batch.includes(line)).length, receiver.invalid.length)
  })

  it('rejects sends after close()', async () => {
    const { receiver, transport } = await start()
    await transport.send(numbered(0, 1))
    await receiver.waitForEvents(1)
    await transport.close()
    await assert.rejects(transport.send(numbered(1, 1)), retryableWith('LOGSTASH_CLOSED'))
    await waitFor(() => receiver.sockets.size === 0, { message: 'the connection to close' })
  })
})
