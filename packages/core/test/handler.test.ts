import assert from 'node:assert/strict'
import { LogstashHandler, type HandlerOptions, type LogstashError } from '@logstash-async/core'
import { RecordingTransport } from '../../../test/helpers/recording-transport'
import { waitFor } from '../../../test/helpers/wait'

const handlers: LogstashHandler[] = []

function makeHandler (transport: RecordingTransport, options: HandlerOptions = {}): { handler: LogstashHandler, errors: LogstashError[] } {
  const errors: LogstashError[] = []
  const handler = new LogstashHandler({ transport, onError: (err) => errors.push(err), retry: { initialDelayMs: 1, maxDelayMs: 5 }, ...options })
  handlers.push(handler)
  return { handler, errors }
}

function messages (transport: RecordingTransport): string[] {
  return transport.parsed.map((e) => e.message as string)
}

describe('LogstashHandler with its worker', () => {
  afterEach(async () => {
    await Promise.all(handlers.splice(0).map((h) => h.close()))
  })

  it('sends at once when flushCount events wait, without waiting for the interval', async () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport, { flushCount: 10, flushIntervalMs: 600_000 })
    for (let i = 0; i < 10; i++) handler.log({ level: 'info', message: `m${i}` })
    await waitFor(() => transport.events.length === 10, { message: '10 events sent' })
    assert.equal(transport.batches.length, 1)
  })

  it('sends fewer than flushCount events once flushIntervalMs has passed', async () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport, { flushCount: 1000, flushIntervalMs: 20 })
    handler.log({ level: 'info', message: 'lonely' })
    await waitFor(() => transport.events.length === 1, { message: 'the interval flush' })
    assert.deepEqual(messages(transport), ['lonely'])
  })

  it('sends in batches of batchSize, oldest first, one send at a time', async () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport, { batchSize: 7, flushCount: 1 })
    for (let i = 0; i < 30; i++) handler.log({ level: 'info', message: String(i) })
    assert.equal(await handler.flush(), true)
    assert.deepEqual(messages(transport), Array.from({ length: 30 }, (_, i) => String(i)))
    assert.ok(transport.batches.every((b) => b.length <= 7))
    assert.equal(transport.maxConcurrent, 1)
  })

  it('retries a failed batch with backoff, in order, until it is delivered', async () => {
    const transport = new RecordingTransport()
    transport.script.push('retryable', 'retryable', 'retryable')
    const { handler, errors } = makeHandler(transport, { batchSize: 2, flushCount: 1 })
    for (let i = 0; i < 5; i++) handler.log({ level: 'info', message: String(i) })
    assert.equal(await handler.flush(), true)
    assert.deepEqual(messages(transport), ['0', '1', '2', '3', '4'])
    const stats = handler.stats()
    assert.equal(stats.failedSends, 3)
    assert.equal(stats.retries, 3)
    assert.equal(stats.sent, 5)
    assert.equal(stats.lastError?.message, 'receiver unavailable')
    await waitFor(() => errors.length === 3, { message: 'three reports' })
  })

  it('drops and reports a batch the receiver refuses for good, then goes on', async () => {
    const transport = new RecordingTransport()
    transport.script.push('fatal')
    const { handler, errors } = makeHandler(transport, { batchSize: 2, flushCount: 100 })
    for (let i = 0; i < 4; i++) handler.log({ level: 'info', message: String(i) })
    assert.equal(await handler.flush(), true)
    assert.deepEqual(messages(transport), ['2', '3'])
    assert.equal(handler.stats().dropped, 2)
    await waitFor(() => errors.some((e) => e.code === 'LOGSTASH_REFUSED'), { message: 'a refusal report' })
  })

  it('counts events a send reports as refused', async () => {
    const transport = new RecordingTransport()
    transport.script.push({ dropped: 1 })
    const { handler } = makeHandler(transport)
    handler.log({ level: 'info', message: 'a' })
    handler.log({ level: 'info', message: 'b' })
    await handler.flush()
    assert.equal(handler.stats().sent, 1)
    assert.equal(handler.stats().dropped, 1)
  })

  it('resolves flush() only once what was logged before it is delivered', async () => {
    const transport = new RecordingTransport()
    let open!: () => void
    transport.gate = new Promise<void>((resolve) => { open = resolve })
    const { handler } = makeHandler(transport)
    handler.log({ level: 'info', message: 'held' })
    let flushed = false
    const flushing = handler.flush().then((ok) => { flushed = ok })
    await waitFor(() => transport.attempts.length === 1, { message: 'the send to start' })
    assert.equal(flushed, false)
    transport.gate = undefined
    open()
    await flushing
    assert.equal(flushed, true)
    assert.deepEqual(messages(transport), ['held'])
  })

  it('resolves flush() with false after closeTimeoutMs when nothing can be delivered', async () => {
    const transport = new RecordingTransport()
    transport.script.push(...Array<'retryable'>(10_000).fill('retryable'))
    const { handler } = makeHandler(transport, { closeTimeoutMs: 50 })
    handler.log({ level: 'info', message: 'stuck' })
    assert.equal(await handler.flush(), false)
    assert.equal(handler.stats().queued + handler.stats().inFlight, 1)
  })

  it('discards events below its level before formatting', async () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport, { level: 'warn' })
    handler.log({ level: 'info', message: 'no' })
    handler.log({ level: 'error', message: 'yes' })
    await handler.flush()
    assert.deepEqual(messages(transport), ['yes'])
  })

  it('does nothing when disabled', async () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport, { enabled: false })
    handler.log({ level: 'error', message: 'no' })
    await handler.flush()
    assert.equal(transport.attempts.length, 0)
    assert.equal(handler.stats().dropped, 0)
  })

  it('sends a fallback event and reports when the formatter throws', async () => {
    const transport = new RecordingTransport()
    const formatter = { format (): string { throw new Error('formatter bug') } }
    const { handler, errors } = makeHandler(transport, { formatter })
    handler.log({ level: 'warn', message: 'survives' })
    await handler.flush()
    const [event] = transport.parsed
    assert.equal(event?.message, 'survives')
    assert.equal(event?.format_error, 'formatter bug')
    await waitFor(() => errors.some((e) => e.code === 'LOGSTASH_FORMAT'), { message: 'a format report' })
  })

  it('never calls onError synchronously inside log()', async () => {
    const transport = new RecordingTransport()
    let insideLog = false
    let calledInside = false
    const handler = new LogstashHandler({
      transport,
      formatter: { format (): string { throw new Error('x') } },
      onError: () => { if (insideLog) calledInside = true }
    })
    handlers.push(handler)
    insideLog = true
    handler.log({ level: 'info', message: 'm' })
    insideLog = false
    await handler.flush()
    assert.equal(calledInside, false)
  })

  it('limits reports to errorRateLimit per minute per kind', async () => {
    const transport = new RecordingTransport()
    const formatter = { format (): string { throw new Error('always') } }
    const { handler, errors } = makeHandler(transport, { formatter, errorRateLimit: 3 })
    for (let i = 0; i < 20; i++) handler.log({ level: 'info', message: String(i) })
    await handler.flush()
    await new Promise<void>((resolve) => setImmediate(resolve))
    assert.equal(errors.filter((e) => e.code === 'LOGSTASH_FORMAT').length, 3)
    assert.equal(transport.events.length, 20)
  })

  it('survives an onError callback that throws', async () => {
    const transport = new RecordingTransport()
    transport.script.push('retryable')
    const warnings: string[] = []
    const onWarning = (w: Error): void => { warnings.push(w.message) }
    process.on('warning', onWarning)
    try {
      const handler = new LogstashHandler({ transport, retry: { initialDelayMs: 1, maxDelayMs: 2 }, onError: () => { throw new Error('callback bug') } })
      handlers.push(handler)
      handler.log({ level: 'info', message: 'm' })
      assert.equal(await handler.flush(), true)
      await waitFor(() => warnings.some((w) => w.includes('callback bug')), { message: 'the warning' })
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('is a counted no-op after close(), and close() is idempotent', async () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport)
    handler.log({ level: 'info', message: 'before' })
    const first = handler.close()
    assert.equal(handler.close(), first)
    await first
    handler.log({ level: 'info', message: 'after' })
    assert.deepEqual(messages(transport), ['before'])
    assert.equal(handler.stats().dropped, 1)
    assert.equal(transport.closed, true)
  })

  it('expires events older than eventTtlMs instead of sending them', async () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport, { eventTtlMs: 1000 })
    handler.log({ level: 'info', message: 'stale', time: Date.now() - 5000 })
    handler.log({ level: 'info', message: 'fresh' })
    assert.equal(await handler.flush(), true)
    assert.deepEqual(messages(transport), ['fresh'])
    assert.equal(handler.stats().expired, 1)
  })

  it('never throws from log(), whatever the record', () => {
    const transport = new RecordingTransport()
    const { handler } = makeHandler(transport)
    const hostile = new Proxy({}, { get () { throw new Error('no') } })
    assert.doesNotThrow(() => handler.log(hostile as never))
    assert.doesNotThrow(() => handler.log(null as never))
    assert.doesNotThrow(() => handler.log({ level: 'nope', message: 42 } as never))
  })
})
