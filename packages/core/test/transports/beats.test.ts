import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { BeatsTransport, LogstashFormatter, LogstashHandler, TransportError, type Formatter, type LogstashError } from '@logstash-async/core'
import { BeatsReceiver } from '../../../../test/helpers/beats-receiver'
import { testPki } from '../../../../test/helpers/certs'
import { waitFor } from '../../../../test/helpers/wait'
import { beatsOptions } from '../../../../test/helpers/resolved-options'

const events = (n: number, prefix = 'event'): string[] =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ message: `${prefix} ${i}`, i }))

const seqs = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)

describe('BeatsTransport', () => {
  let receiver: BeatsReceiver | undefined
  let transport: BeatsTransport | undefined
  let handler: LogstashHandler | undefined
  let server: Server | undefined

  afterEach(async () => {
    await handler?.close()
    await transport?.close()
    await receiver?.close()
    if (server !== undefined) await new Promise<void>((resolve) => server?.close(() => resolve()))
    handler = transport = receiver = server = undefined
  })

  async function start (options: Partial<ConstructorParameters<typeof BeatsTransport>[0]> = {}): Promise<{ receiver: BeatsReceiver, transport: BeatsTransport }> {
    receiver = await BeatsReceiver.start()
    transport = new BeatsTransport(beatsOptions({ host: receiver.host, port: receiver.port, timeoutMs: 300, ...options }))
    return { receiver, transport }
  }

  it('delivers every event byte for byte in one compressed window numbered 1..n', async () => {
    const { receiver, transport } = await start()
    const sent = [...events(20), JSON.stringify({ message: 'é 日本 🎉 "quoted" \\ back\nslash' }), JSON.stringify({ big: 'x'.repeat(200_000) })]
    await transport.send(sent)
    assert.deepEqual(receiver.errors, [])
    assert.deepEqual(receiver.received, sent)
    assert.deepEqual(receiver.acked, sent)
    assert.equal(receiver.windows.length, 1)
    assert.equal(receiver.windows[0]?.compressed, true)
    assert.deepEqual(receiver.windows[0]?.seqs, seqs(sent.length))
  })

  it('sends plain 2J frames when compressionLevel is 0', async () => {
    const { receiver, transport } = await start({ compressionLevel: 0 })
    const sent = events(5)
    await transport.send(sent)
    assert.deepEqual(receiver.errors, [])
    assert.deepEqual(receiver.acked, sent)
    assert.equal(receiver.windows[0]?.compressed, false)
  })

  it('splits a batch larger than windowSize into windows, each numbered from 1, and resolves when all are acknowledged', async () => {
    const { receiver, transport } = await start({ windowSize: 3 })
    const sent = events(8)
    await transport.send(sent)
    assert.deepEqual(receiver.errors, [])
    assert.deepEqual(receiver.windows.map((w) => w.seqs), [seqs(3), seqs(3), seqs(2)])
    assert.deepEqual(receiver.acked, sent)
  })

  it('reads an ACK split across TCP segments', async () => {
    const { receiver, transport } = await start({ timeoutMs: 2000 })
    receiver.plan({ kind: 'ack', splitMs: 30 })
    await transport.send(events(3))
    assert.deepEqual(receiver.acked, events(3))
    assert.equal(receiver.connections, 1)
  })

  it('keeps one connection for successive sends', async () => {
    const { receiver, transport } = await start()
    await transport.send(events(2, 'a'))
    await transport.send(events(2, 'b'))
    assert.equal(receiver.connections, 1)
    assert.equal(receiver.acked.length, 4)
  })

  it('waits through "2A 0" keep-alive ACKs for longer than timeoutMs in total', async () => {
    const { receiver, transport } = await start({ timeoutMs: 300 })
    receiver.plan({ kind: 'keepAlive', times: 8, intervalMs: 100 })
    const sent = events(4)
    await transport.send(sent)
    assert.deepEqual(receiver.acked, sent)
    assert.equal(receiver.connections, 1)
    assert.equal(receiver.windows.length, 1)
  })

  it('rejects with a retryable timeout when the ACK never comes, and resends the window on a new connection', async () => {
    const { receiver, transport } = await start({ timeoutMs: 200 })
    receiver.plan({ kind: 'silent' })
    const sent = events(5)
    await assert.rejects(transport.send(sent), (err: TransportError) => {
      assert.ok(err instanceof TransportError)
      assert.equal(err.retryable, true)
      assert.equal(err.code, 'LOGSTASH_TIMEOUT')
      assert.match(err.message, /no ACK .* within 200 ms \(0 of 5 events acknowledged\)/)
      return true
    })
    await transport.send(sent)
    assert.deepEqual(receiver.windows.map((w) => w.connection), [1, 2])
    assert.deepEqual(receiver.received, [...sent, ...sent])
    assert.deepEqual(receiver.acked, sent)
  })

  it('says which events a partial ACK settled when the window fails', async () => {
    const { receiver, transport } = await start({ timeoutMs: 200 })
    receiver.plan({ kind: 'partial', acked: 2 })
    const sent = events(5)
    await assert.rejects(transport.send(sent), (err: TransportError) => {
      assert.equal(err.code, 'LOGSTASH_TIMEOUT')
      assert.equal(err.retryable, true)
      assert.deepEqual(err.settled, { count: 2, dropped: 0 })
      return true
    })
    await transport.send(sent.slice(2))
    assert.deepEqual(receiver.windows[1]?.payloads, sent.slice(2))
    assert.deepEqual(receiver.windows[1]?.seqs, seqs(3))
    assert.deepEqual(receiver.acked, sent)
  })

  it('counts the windows of a batch acknowledged before a later window failed as settled', async () => {
    const { receiver, transport } = await start({ timeoutMs: 200, windowSize: 2 })
    // The windows of a batch go out together; a Logstash that stops acknowledging one does
    // not acknowledge the later ones either.
    receiver.plan({ kind: 'ack' }, { kind: 'silent' }, { kind: 'silent' })
    const sent = events(6)
    await assert.rejects(transport.send(sent), (err: TransportError) => err.code === 'LOGSTASH_TIMEOUT' && err.settled?.count === 2)
    await transport.send(sent.slice(2))
    assert.deepEqual(receiver.windows.map((w) => w.payloads), [sent.slice(0, 2), sent.slice(2, 4), sent.slice(4, 6), sent.slice(2, 4), sent.slice(4, 6)])
    assert.deepEqual(receiver.acked, sent)
  })

  it('rejects when the server closes the connection before the ACK, and resends the window after reconnecting', async () => {
    const { receiver, transport } = await start()
    receiver.plan({ kind: 'close' })
    const sent = events(3)
    await assert.rejects(transport.send(sent), { code: 'LOGSTASH_CLOSED', retryable: true })
    await transport.send(sent)
    assert.equal(receiver.connections, 2)
    assert.deepEqual(receiver.acked, sent)
  })

  it('reconnects after the server closed an idle connection', async () => {
    const { receiver, transport } = await start()
    await transport.send(events(1, 'before'))
    receiver.dropConnections()
    await waitFor(() => receiver.sockets.size === 0)
    await transport.send(events(1, 'after'))
    assert.equal(receiver.connections, 2)
    assert.deepEqual(receiver.acked, [...events(1, 'before'), ...events(1, 'after')])
  })

  it('sends a window once more on a fresh connection when a kept connection closes without a word about it', async () => {
    const { receiver, transport } = await start()
    receiver.plan({ kind: 'ack' }, { kind: 'close' })
    await transport.send(events(1, 'first'))
    await transport.send(events(1, 'second'))
    assert.deepEqual(receiver.windows.map((w) => w.connection), [1, 1, 2])
    assert.deepEqual(receiver.acked, [...events(1, 'first'), ...events(1, 'second')])
  })

  it('rejects with a retryable error while the server refuses connections', async () => {
    const { receiver, transport } = await start()
    await receiver.kill()
    await assert.rejects(transport.send(events(1)), (err: TransportError) => {
      assert.equal(err.retryable, true)
      assert.match(err.message, /cannot connect to beats:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/)
      return true
    })
  })

  it('rejects with a protocol error when the server answers something other than ACKs', async () => {
    server = createServer((socket) => {
      socket.on('error', () => {})
      socket.once('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'))
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    transport = new BeatsTransport(beatsOptions({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, timeoutMs: 2000 }))
    await assert.rejects(transport.send(events(1)), (err: TransportError) => {
      assert.equal(err.code, 'LOGSTASH_PROTOCOL')
      assert.equal(err.retryable, true)
      assert.match(err.message, /is this a Logstash beats input\?/)
      return true
    })
  })

  it('rejects a send waiting for its ACK when closed', async () => {
    const { receiver, transport } = await start({ timeoutMs: 10_000 })
    receiver.plan({ kind: 'silent' })
    const sending = transport.send(events(2))
    await waitFor(() => receiver.windows.length === 1)
    await transport.close()
    await assert.rejects(sending, { code: 'LOGSTASH_CLOSED', retryable: true })
    await assert.rejects(transport.send(events(1)), { code: 'LOGSTASH_CLOSED' })
  })

  describe('through LogstashHandler', () => {
    const quick = { transport: 'beats' as const, host: '127.0.0.1', timeoutMs: 300, flushIntervalMs: 10, retry: { initialDelayMs: 10, maxDelayMs: 50 } }

    it('delivers every event exactly as the formatter produced it', async () => {
      receiver = await BeatsReceiver.start()
      const formatted: string[] = []
      const inner = new LogstashFormatter()
      const formatter: Formatter = { format: (record, context) => { const s = inner.format(record, context); formatted.push(s); return s } }
      handler = new LogstashHandler({ ...quick, port: receiver.port, formatter, beats: { windowSize: 7 } })
      for (let i = 0; i < 30; i++) handler.log({ level: 'info', message: `message ${i}`, fields: { i } })
      assert.equal(await handler.flush(), true)
      assert.deepEqual(receiver.errors, [])
      assert.deepEqual(receiver.acked, formatted)
      assert.equal(handler.stats().sent, 30)
    })

    it('resends a window whose ACK never comes after reconnecting, and delivers each event once', async () => {
      receiver = await BeatsReceiver.start()
      receiver.plan({ kind: 'silent' })
      const errors: LogstashError[] = []
      handler = new LogstashHandler({ ...quick, port: receiver.port, onError: (err) => errors.push(err) })
      for (let i = 0; i < 10; i++) handler.log({ level: 'info', message: `message ${i}` })
      assert.equal(await handler.flush(), true)
      assert.deepEqual(receiver.events.map((e) => e.message), Array.from({ length: 10 }, (_, i) => `message ${i}`))
      assert.equal(receiver.connections, 2)
      assert.equal(handler.stats().failedSends, 1)
      await waitFor(() => errors.length === 1)
      assert.equal(errors[0]?.code, 'LOGSTASH_TIMEOUT')
    })

    it('delivers every event once across an outage: receiver down, then up', async () => {
      receiver = await BeatsReceiver.start()
      const port = receiver.port
      await receiver.kill()
      handler = new LogstashHandler({ ...quick, port, onError: () => {} })
      for (let i = 0; i < 50; i++) handler.log({ level: 'info', message: `message ${i}` })
      await waitFor(() => handler!.stats().failedSends >= 2)
      await receiver.listen(port)
      assert.equal(await handler.flush(), true)
      assert.deepEqual(receiver.events.map((e) => e.message), Array.from({ length: 50 }, (_, i) => `message ${i}`))
      assert.equal(handler.stats().sent, 50)
    })

    it('uses port 5044 by default', () => {
      handler = new LogstashHandler({ transport: 'beats' })
      assert.equal(handler.options.port, 5044)
    })
  })

  describe('over TLS', () => {
    it('delivers to a server whose certificate the given CA signed', async () => {
      const certs = testPki()
      receiver = await BeatsReceiver.start({ tls: { key: certs.server.key, cert: certs.server.cert } })
      transport = new BeatsTransport(beatsOptions({ host: '127.0.0.1', port: receiver.port, timeoutMs: 2000, tls: { ca: certs.ca, rejectUnauthorized: true } }))
      await transport.send(events(3))
      assert.deepEqual(receiver.acked, events(3))
    })

    it('refuses a server whose certificate does not verify (verification on by default)', async () => {
      const certs = testPki()
      receiver = await BeatsReceiver.start({ tls: { key: certs.server.key, cert: certs.server.cert } })
      const errors: LogstashError[] = []
      handler = new LogstashHandler({ transport: 'beats', host: '127.0.0.1', port: receiver.port, tls: { ca: certs.otherCa }, timeoutMs: 2000, closeTimeoutMs: 100, onError: (err) => errors.push(err) })
      handler.log({ level: 'info', message: 'never delivered' })
      await waitFor(() => errors.length >= 1)
      assert.match(errors[0]?.message ?? '', /certificate/)
      assert.equal(receiver.acked.length, 0)
    })

    it('presents a client certificate for mutual TLS', async () => {
      const certs = testPki()
      receiver = await BeatsReceiver.start({ tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca, requestCert: true, rejectUnauthorized: true } })
      transport = new BeatsTransport(beatsOptions({
        host: '127.0.0.1', port: receiver.port, timeoutMs: 2000,
        tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key, rejectUnauthorized: true }
      }))
      await transport.send(events(2))
      assert.deepEqual(receiver.acked, events(2))
    })

    it('fails when mutual TLS is required and no client certificate is given', async () => {
      const certs = testPki()
      receiver = await BeatsReceiver.start({ tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca, requestCert: true, rejectUnauthorized: true } })
      transport = new BeatsTransport(beatsOptions({ host: '127.0.0.1', port: receiver.port, timeoutMs: 2000, tls: { ca: certs.ca, rejectUnauthorized: true } }))
      await assert.rejects(transport.send(events(1)), { retryable: true })
      assert.equal(receiver.acked.length, 0)
    })
  })
})
