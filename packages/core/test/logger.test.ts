import assert from 'node:assert/strict'
import { createLogger, LogstashHandler, type LogRecord, type LogSink } from '@logstash-async/core'

class RecordingSink implements LogSink {
  readonly records: LogRecord[] = []
  log (record: LogRecord): void { this.records.push(record) }
}

describe('createLogger', () => {
  it('builds a record with level, message, time, name and fields', () => {
    const sink = new RecordingSink()
    const log = createLogger({ handler: sink, name: 'app' })
    const before = Date.now()
    log.info('order placed', { orderId: 42 })
    const [record] = sink.records
    assert.ok(record)
    assert.equal(record.level, 'info')
    assert.equal(record.message, 'order placed')
    assert.equal(record.logger, 'app')
    assert.deepEqual(record.fields, { orderId: 42 })
    assert.ok(typeof record.time === 'number' && record.time >= before)
  })

  it('takes an Error held in err or error as the record error', () => {
    const sink = new RecordingSink()
    const log = createLogger({ handler: sink })
    const err = new Error('boom')
    log.error('payment failed', { err, orderId: 42 })
    log.error('again', { error: err })
    assert.equal(sink.records[0]?.error, err)
    assert.deepEqual(sink.records[0]?.fields, { orderId: 42 })
    assert.equal(sink.records[1]?.error, err)
    assert.deepEqual(sink.records[1]?.fields, {})
  })

  it('accepts an Error as first argument, its message as the message', () => {
    const sink = new RecordingSink()
    const log = createLogger({ handler: sink })
    const err = new TypeError('bad type')
    log.warn(err)
    log.warn(err, 'with message', { a: 1 })
    assert.equal(sink.records[0]?.message, 'bad type')
    assert.equal(sink.records[0]?.error, err)
    assert.equal(sink.records[1]?.message, 'with message')
    assert.deepEqual(sink.records[1]?.fields, { a: 1 })
  })

  it('merges child fields under the call fields', () => {
    const sink = new RecordingSink()
    const log = createLogger({ handler: sink, fields: { service: 'api' } })
    const child = log.child({ component: 'billing', service: 'billing-api' })
    child.info('x', { component: 'override' })
    assert.deepEqual(sink.records[0]?.fields, { service: 'billing-api', component: 'override' })
  })

  it('skips calls below its level', () => {
    const sink = new RecordingSink()
    const log = createLogger({ handler: sink, level: 'warn' })
    log.info('skipped')
    log.error('kept')
    assert.deepEqual(sink.records.map((r) => r.message), ['kept'])
    assert.equal(log.isLevelEnabled('info'), false)
  })

  it('never throws, even when the sink does', () => {
    const log = createLogger({ handler: { log () { throw new Error('sink broke') } } })
    assert.doesNotThrow(() => log.info('x'))
  })

  it('uses a handler to deliver nothing after close without throwing', async () => {
    const handler = new LogstashHandler({ host: '127.0.0.1', port: 1, closeTimeoutMs: 0, onError: () => {} })
    await handler.close()
    const log = createLogger({ handler })
    assert.doesNotThrow(() => log.info('after close'))
    assert.equal(handler.stats().dropped, 1)
  })
})
