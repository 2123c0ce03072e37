import assert from 'node:assert/strict'
import {
  createLogger, EcsFormatter, LogstashFormatter, LogstashHandler, SyncLogstashHandler, type Formatter, type LogRecord, type LogstashError
} from '@logstash-async/core'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { waitFor } from '../helpers/wait'

const TEN_MB = 'x'.repeat(10 * 1024 * 1024)

describe('log calls as Node users write them, through a TCP receiver', () => {
  let receiver: TcpReceiver
  let handler: LogstashHandler | undefined
  let reports: LogstashError[]

  beforeEach(async () => {
    receiver = await TcpReceiver.start()
    reports = []
  })

  afterEach(async () => {
    await handler?.close()
    handler = undefined
    await receiver.close()
  })

  async function ship (formatter: Formatter, log: (logger: ReturnType<typeof createLogger>, handler: LogstashHandler) => void, count: number): Promise<Record<string, unknown>[]> {
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 10, formatter, onError: (err) => reports.push(err) })
    log(createLogger({ handler, name: 'shop' }), handler)
    assert.equal(await handler.flush(), true)
    const events = await receiver.waitForEvents(count)
    assert.deepEqual(receiver.invalid, [])
    assert.equal(events.length, count)
    return events
  }

  const extra = (event: Record<string, unknown> | undefined): Record<string, unknown> => event?.extra as Record<string, unknown>

  it('interpolates printf-style placeholders, fields last', async () => {
    const [event] = await ship(new LogstashFormatter(), (log) => log.warn('user %s has %d items (%j)', 'alice', 3, { cart: 'c-1' }, { requestId: 'r-1' }), 1)
    assert.equal(event?.message, 'user alice has 3 items ({"cart":"c-1"})')
    assert.equal(event?.level, 'WARNING')
    assert.equal(extra(event).requestId, 'r-1')
  })

  it('takes pino\'s order, fields first, and an error first or after the message', async () => {
    const events = await ship(new LogstashFormatter(), (log) => {
      log.info({ orderId: 42 }, 'order placed')
      log.error(new Error('declined'), 'payment %s failed', 'p-7')
      ;(log.error as (...args: unknown[]) => void)('payment failed', new TypeError('bad card'))
    }, 3)
    assert.equal(events[0]?.message, 'order placed')
    assert.equal(extra(events[0]).orderId, 42)
    assert.equal(events[1]?.message, 'payment p-7 failed')
    assert.equal(extra(events[1]).error_type, 'Error')
    assert.equal(events[2]?.message, 'payment failed')
    assert.equal(extra(events[2]).error_type, 'TypeError')
  })

  it('sends per-event tags to the top-level tags, with the formatter\'s, in both formats', async () => {
    const events = await ship(new LogstashFormatter({ tags: ['shop'] }), (log) => log.info('audit trail', { tags: ['audit'], orderId: 1 }), 1)
    assert.deepEqual(events[0]?.tags, ['shop', 'audit'])
    assert.equal(extra(events[0]).tags, undefined)
    await handler?.close()
    receiver.clear()
    const [ecs] = await ship(new EcsFormatter({ apmIntegration: false, tags: ['shop'] }), (log) => log.info('audit trail', { tags: 'audit' }), 1)
    assert.deepEqual(ecs?.tags, ['shop', 'audit'])
  })

  it('writes @metadata with the ECS formatter', async () => {
    const [event] = await ship(new EcsFormatter({ apmIntegration: false, metadata: { index: 'shop-logs' } }), (log) => log.info('routed'), 1)
    assert.deepEqual(event?.['@metadata'], { index: 'shop-logs' })
    assert.equal(event?.['log.level'], 'info')
  })

  it('keeps every string within 100,000 characters and every event within 1 MiB, saying what was cut', async () => {
    class LongDate extends Date { override toJSON (): string { return TEN_MB } }
    const events = await ship(new EcsFormatter({ apmIntegration: false }), (log) => {
      log.info(TEN_MB)
      log.error('failed', { err: new Error(TEN_MB), at: new LongDate(0) })
      log.info('wide', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`part${i}`, 'ü'.repeat(100_000)])))
    }, 3)
    for (const line of receiver.lines) assert.ok(Buffer.byteLength(line) <= 1024 * 1024, `${Buffer.byteLength(line)} bytes`)
    assert.match(events[0]?.message as string, /^x{100000}\.\.\.\[10385760 more characters\]$/)
    const error = events[1]?.error as Record<string, string>
    assert.match(error.message as string, /^x{100000}\.\.\./)
    assert.ok((error.stack_trace as string).length < 100_100)
    assert.match((events[1]?.extra as Record<string, string>).at as string, /^x{100000}\.\.\./)
    assert.equal(((events[2]?.extra as Record<string, unknown>).truncated as Record<string, unknown>).max_event_bytes, 1024 * 1024)
    assert.equal(Object.keys(events[2]?.labels as object).length, 12)
  })

  for (const [name, formatter, invalid] of [
    ['LogstashFormatter', () => new LogstashFormatter(), (e: Record<string, unknown>) => extra(e).invalid_time],
    ['EcsFormatter', () => new EcsFormatter({ apmIntegration: false }), (e: Record<string, unknown>) => (e.labels as Record<string, unknown>)?.invalid_time]
  ] as const) {
    it(`sends a record whose time no Date holds at the current time, saying so (${name})`, async () => {
      const before = Date.now()
      const events = await ship(formatter(), (_log, h) => {
        h.log({ level: 'info', message: 'far future', time: 1e20 })
        h.log({ level: 'info', message: 'not a number', time: Number.NaN })
        h.log({ level: 'info', message: 'a Date', time: new Date(0) as unknown as number })
      }, 3)
      for (const event of events.slice(0, 2)) assert.ok(Date.parse(event['@timestamp'] as string) >= before - 1000)
      assert.equal(invalid(events[0] as Record<string, unknown>), '100000000000000000000')
      assert.equal(invalid(events[1] as Record<string, unknown>), 'NaN')
      assert.equal(events[2]?.['@timestamp'], '1970-01-01T00:00:00.000Z')
      assert.equal(invalid(events[2] as Record<string, unknown>), undefined)
      assert.equal(handler?.stats().dropped, 0)
    })
  }

  it('sends the ECS formatter\'s own fallback when it fails, and reports it to onError', async () => {
    const broken = { get durationMs (): number { throw new Error('broken access info') } }
    const [event] = await ship(new EcsFormatter({ apmIntegration: false }), (_log, h) => {
      h.log({ level: 'warn', message: 'still sent', access: broken } as unknown as LogRecord)
    }, 1)
    assert.equal(event?.message, 'still sent')
    assert.equal(event?.['log.level'], 'warn')
    assert.deepEqual(event?.labels, { format_error: 'broken access info' })
    await waitFor(() => reports.some((r) => r.code === 'LOGSTASH_FORMAT' && /broken access info/.test(r.message)), { message: 'a LOGSTASH_FORMAT report' })
  })

  it('gives SyncLogstashHandler the same record-to-event step', async () => {
    const sync = new SyncLogstashHandler({ host: '127.0.0.1', port: receiver.port, formatter: new EcsFormatter({ apmIntegration: false }), onError: (err) => reports.push(err) })
    try {
      assert.equal(await sync.log({ level: 'info', message: 'sync', time: Infinity }), true)
      assert.equal(await sync.log({ level: 'info', message: 'broken', access: { get durationMs (): number { throw new Error('bad') } } } as unknown as LogRecord), true)
      const events = await receiver.waitForEvents(2)
      assert.equal((events[0]?.labels as Record<string, unknown>).invalid_time, 'Infinity')
      assert.deepEqual(events[1]?.labels, { format_error: 'bad' })
      await waitFor(() => reports.some((r) => r.code === 'LOGSTASH_FORMAT'), { message: 'a LOGSTASH_FORMAT report' })
    } finally {
      await sync.close()
    }
  })
})
