import assert from 'node:assert/strict'
import winston from 'winston'
import type { LogRecord } from '@logstash-async/core'
import { LogstashTransport } from '@logstash-async/winston'
import { FixtureProcess } from '../../../test/helpers/child-process'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'

/** A handler that keeps records and counts flushes and closes. */
class Recording {
  readonly records: LogRecord[] = []
  flushes = 0
  closes = 0
  log (record: LogRecord): void { this.records.push(record) }
  async flush (): Promise<boolean> { this.flushes++; return true }
  async close (): Promise<void> { this.closes++ }
}

describe('LogstashTransport', () => {
  let receiver: TcpReceiver | undefined
  let child: FixtureProcess | undefined

  afterEach(async () => {
    await child?.kill()
    child = undefined
    await receiver?.close()
    receiver = undefined
  })

  it('is a winston-transport that winston accepts, and emits \'logged\' for each info object', async () => {
    const handler = new Recording()
    const transport = new LogstashTransport({ handler, level: 'warn' })
    const logged: unknown[] = []
    transport.on('logged', (info) => logged.push(info))
    const logger = winston.createLogger({ transports: [transport] })
    logger.info('filtered by the transport level')
    logger.warn('kept')
    assert.deepEqual(handler.records.map((r) => r.message), ['kept'])
    assert.equal(logged.length, 1)
  })

  it('never lets a failure reach winston\'s stream', () => {
    const transport = new LogstashTransport({ handler: { log: () => { throw new Error('broken handler') } } })
    const errors: unknown[] = []
    // A pass-through format: winston's default json() would itself throw on the getter below.
    const logger = winston.createLogger({ format: winston.format((info) => info)(), transports: [transport] })
    logger.on('error', (err) => errors.push(err))
    transport.on('logged', () => { throw new Error('broken listener') })
    // An info object winston passes on as is: its throwing getter is read by the transport.
    const hostile = { level: 'info', message: 'one', get boom (): never { throw new Error('getter') } }
    assert.doesNotThrow(() => logger.log(hostile))
    assert.doesNotThrow(() => logger.info('two'))
    assert.deepEqual(errors, [])
  })

  it('flushes a handler it was given on close() and logger.close(), and never closes it', async () => {
    const handler = new Recording()
    const transport = new LogstashTransport({ handler })
    const logger = winston.createLogger({ transports: [transport] })
    logger.info('x')
    logger.close()
    await transport.close()
    assert.equal(handler.flushes, 1)
    assert.equal(handler.closes, 0)
  })

  it('closes the handler it created from handler options, delivering what was logged', async () => {
    receiver = await TcpReceiver.start()
    const transport = new LogstashTransport({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 60_000, flushCount: 1_000_000 })
    const logger = winston.createLogger({ transports: [transport] })
    for (let n = 0; n < 100; n++) logger.info(`line ${n}`)
    await transport.close()
    assert.equal((transport.handler as { closed?: boolean }).closed, true)
    await receiver.waitForEvents(100)
    assert.deepEqual(receiver.events.map((e) => e.message), Array.from({ length: 100 }, (_, n) => `line ${n}`))
  })

  it('waits for delivery before the logger\'s \'finish\' after logger.end()', async () => {
    const handler = new Recording()
    let flushed = false
    handler.flush = async () => { await new Promise((resolve) => setImmediate(resolve)); flushed = true; return true }
    const logger = winston.createLogger({ transports: [new LogstashTransport({ handler })] })
    logger.info('x')
    const finished = new Promise((resolve) => logger.on('finish', resolve))
    logger.end()
    await finished
    assert.equal(flushed, true)
  })

  it('refuses a wrong option, naming it', () => {
    assert.throws(() => new LogstashTransport({ port: 'eighty' as never }), /port must be an integer 1-65535, got "eighty"/)
    assert.throws(() => new LogstashTransport({ handler: new Recording(), host: 'x' }), /handler cannot be combined with handler options/)
    assert.throws(() => new LogstashTransport({ loggerName: 3 as never }), /loggerName must be a non-empty string, got 3/)
    assert.throws(() => new LogstashTransport({ levelMap: { audit: 'loud' as never } }), /levelMap.audit must be one of trace, debug, info, warn, error, fatal, got "loud"/)
    assert.throws(() => new LogstashTransport({ accessLevel: 'info' as never }), /accessLevel must be a function/)
  })

  it('delivers 10,000 events when the process ends', async () => {
    receiver = await TcpReceiver.start()
    child = new FixtureProcess('winston-exit.js', [String(receiver.port), '10000', '10000'])
    const exit = await child.exit(30_000)
    assert.equal(exit.code, 0, child.stderr)
    await receiver.waitForEvents(10_000, 10_000)
    assert.deepEqual(receiver.events.map((e) => (e.extra as { seq: number }).seq), Array.from({ length: 10_000 }, (_, i) => i))
    assert.equal(child.stderr, '')
  })

  it('ends within closeTimeoutMs when Logstash is down', async () => {
    receiver = await TcpReceiver.start()
    await receiver.kill()
    child = new FixtureProcess('winston-exit.js', [String(receiver.port), '10000', '500'])
    // Without the bound it would retry forever; the limit leaves a loaded machine room.
    const exit = await child.exit(15_000)
    assert.equal(exit.code, 0, child.stderr)
    assert.match(child.stderr, /10000 events not delivered within closeTimeoutMs \(500 ms\)/)
  })
})
