import assert from 'node:assert/strict'
import { LogstashHandler, type HandlerOptions } from '@logstash-async/core'
import { RecordingTransport } from '../../../test/helpers/recording-transport'
import { waitFor } from '../../../test/helpers/wait'

// The worker hands out several batches at once when the transport takes them
// (Transport.maxConcurrentSends; the handler's own transports take it from `pipelining`).
describe('Worker with several batches in flight', () => {
  const handlers: LogstashHandler[] = []
  let open: (() => void) | undefined

  afterEach(async () => {
    open?.()
    await Promise.all(handlers.splice(0).map((h) => h.close()))
  })

  function makeHandler (transport: RecordingTransport, options: HandlerOptions = {}): LogstashHandler {
    const handler = new LogstashHandler({ transport, onError: () => {}, retry: { initialDelayMs: 1, maxDelayMs: 5 }, batchSize: 2, flushCount: 1, ...options })
    handlers.push(handler)
    return handler
  }

  const log = (handler: LogstashHandler, count: number): void => {
    for (let i = 0; i < count; i++) handler.log({ level: 'info', message: String(i) })
  }

  it('runs up to maxConcurrentSends sends at once, and no more', async () => {
    const transport = new RecordingTransport()
    transport.maxConcurrentSends = 3
    transport.gate = new Promise((resolve) => { open = resolve })
    const handler = makeHandler(transport)
    log(handler, 20)
    await waitFor(() => transport.attempts.length === 3, { message: 'three sends under way' })
    assert.equal(transport.concurrent, 3)
    assert.equal(handler.stats().inFlight, 6)
    open?.()
    assert.equal(await handler.flush(), true)
    assert.equal(transport.maxConcurrent, 3)
    assert.deepEqual(transport.parsed.map((e) => e.message), Array.from({ length: 20 }, (_, i) => String(i)))
  })

  it('runs one send at a time with a transport that does not say otherwise', async () => {
    const transport = new RecordingTransport()
    const handler = makeHandler(transport)
    log(handler, 20)
    assert.equal(await handler.flush(), true)
    assert.equal(transport.maxConcurrent, 1)
  })

  it('sends again only the part of a batch the transport did not settle, and counts it once', async () => {
    const transport = new RecordingTransport()
    transport.script.push({ settled: 3 })
    const handler = makeHandler(transport, { batchSize: 5 })
    log(handler, 5)
    assert.equal(await handler.flush(), true)
    assert.deepEqual(transport.attempts.map((a) => a.length), [5, 2])
    assert.deepEqual(transport.parsed.map((e) => e.message), ['0', '1', '2', '3', '4'])
    const stats = handler.stats()
    assert.deepEqual({ sent: stats.sent, failedSends: stats.failedSends, retries: stats.retries }, { sent: 5, failedSends: 1, retries: 1 })
  })

  it('puts a failed batch back ahead of the batches after it, which are delivered around it', async () => {
    const transport = new RecordingTransport()
    transport.maxConcurrentSends = 2
    transport.script.push('retryable', 'ok')
    const handler = makeHandler(transport)
    log(handler, 6)
    assert.equal(await handler.flush(), true)
    const sent = transport.parsed.map((e) => e.message as string)
    assert.deepEqual([...sent].sort(), ['0', '1', '2', '3', '4', '5'])
    // The failed batch (0, 1) goes again before 4 and 5, which were still waiting.
    assert.ok(sent.indexOf('0') < sent.indexOf('4'), sent.join(' '))
  })
})
