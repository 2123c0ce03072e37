import assert from 'node:assert/strict'
import { once } from 'node:events'
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import pino from 'pino'
import { FIXTURES, FixtureProcess } from '../../../test/helpers/child-process'
import { assertEcsLine, valueAt } from '../../../test/helpers/ecs-validate'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { TempDir } from '../../../test/helpers/temp-dir'
import { createTargetStream } from '@logstash-async/pino'

// What would hold a batch back: only flush(), end() or the exit path send anything.
const HOLDING = { flushIntervalMs: 60_000, flushCount: 1_000_000 }

describe('pino.transport({ target: \'@logstash-async/pino\' })', () => {
  let receiver: TcpReceiver
  let transport: ReturnType<typeof pino.transport> | undefined

  beforeEach(async () => { receiver = await TcpReceiver.start() })
  afterEach(async () => {
    if (transport !== undefined && !(transport as unknown as { closed: boolean }).closed) {
      transport.end()
      await once(transport, 'close')
    }
    transport = undefined
    await receiver.close()
  })

  function start (options: Record<string, unknown>): pino.Logger<'audit'> {
    transport = pino.transport({ target: '@logstash-async/pino', options: { host: '127.0.0.1', port: receiver.port, ...options } })
    return pino({ messageKey: 'text', customLevels: { audit: 35 } }, transport)
  }

  it('runs the handler in pino\'s thread: logger.flush(cb) calls back once the events are delivered', async () => {
    const logger = start({ ...HOLDING, format: 'ecs', formatterOptions: { serviceName: 'shop' } })
    for (let seq = 0; seq < 100; seq++) logger.info({ seq }, `event ${seq}`)
    logger.audit('audited')
    logger.error(new Error('boom'))
    await new Promise<void>((resolve, reject) => logger.flush((err) => err ? reject(err) : resolve()))
    await receiver.waitForEvents(102, 5000)
    for (const line of receiver.lines) assertEcsLine(line)
    const events = receiver.events
    assert.deepEqual(events.slice(0, 100).map((e) => e.message), Array.from({ length: 100 }, (_, seq) => `event ${seq}`))
    assert.equal(valueAt(events[0], 'labels.seq'), '0')
    assert.equal(valueAt(events[0], 'service.name'), 'shop')
    // pino announced its messageKey and levels to the thread.
    assert.equal(valueAt(events[100], 'log.level'), 'info')
    assert.equal(valueAt(events[100], 'labels.pino_level'), 'audit')
    assert.equal(valueAt(events[101], 'error.message'), 'boom')
    assert.equal(valueAt(events[101], 'process.pid'), process.pid)
  })

  it('delivers everything when the transport ends, then the thread closes', async () => {
    const logger = start(HOLDING)
    for (let seq = 0; seq < 500; seq++) logger.info({ seq }, 'line')
    transport!.end()
    await once(transport!, 'close')
    await receiver.waitForEvents(500, 5000)
    assert.deepEqual(receiver.events.map((e) => (e.extra as { seq: number }).seq), Array.from({ length: 500 }, (_, i) => i))
  })

  it('holds pino\'s lines back, rather than drop them, while Logstash reads more slowly than pino writes', async () => {
    // A cache bound of 2000 and a receiver that stops reading: without the hold, the
    // thread would queue the burst and the cache would evict all but the newest 2000.
    receiver.pauseReading()
    const logger = start({ cache: { maxEvents: 2000 }, timeoutMs: 60_000 })
    for (let seq = 0; seq < 20_000; seq++) logger.info({ seq }, 'burst')
    setTimeout(() => receiver.resumeReading(), 300)
    await receiver.waitForEvents(20_000, 20_000)
    assert.deepEqual(receiver.events.map((e) => (e.extra as { seq: number }).seq), Array.from({ length: 20_000 }, (_, i) => i))
  })

  it('runs with the smaller young generation the README suggests for its thread', async () => {
    transport = pino.transport({
      target: '@logstash-async/pino',
      options: { host: '127.0.0.1', port: receiver.port },
      worker: { resourceLimits: { maxYoungGenerationSizeMb: 16 } }
    })
    const logger = pino(transport)
    for (let seq = 0; seq < 2000; seq++) logger.info({ seq }, 'small young generation')
    await new Promise<void>((resolve, reject) => logger.flush((err) => err ? reject(err) : resolve()))
    await receiver.waitForEvents(2000, 10_000)
    assert.deepEqual(receiver.events.map((e) => (e.extra as { seq: number }).seq), Array.from({ length: 2000 }, (_, i) => i))
  })

  it('reports a wrong option as the transport\'s error, naming it', async () => {
    transport = pino.transport({ target: '@logstash-async/pino', options: { port: 'eighty' } })
    const [err] = await once(transport, 'error') as [Error]
    assert.match(err.message, /port must be an integer 1-65535, got "eighty"/)
  })

  it('is found in a packed install: real copies in node_modules, no workspace links', async () => {
    const temp = new TempDir('pino-packed-')
    const dir = temp.path
    try {
      const modules = join(dir, 'node_modules')
      for (const name of ['core', 'pino']) {
        const from = dirname(require.resolve(`@logstash-async/${name}/package.json`))
        mkdirSync(join(modules, '@logstash-async', name), { recursive: true })
        cpSync(join(from, 'package.json'), join(modules, '@logstash-async', name, 'package.json'))
        cpSync(join(from, 'dist'), join(modules, '@logstash-async', name, 'dist'), { recursive: true })
      }
      symlinkSync(dirname(require.resolve('pino/package.json')), join(modules, 'pino'))
      writeFileSync(join(dir, 'app.js'), `
const pino = require('pino')
const logger = pino(pino.transport({ target: '@logstash-async/pino', options: { host: '127.0.0.1', port: ${receiver.port} } }))
logger.info('from a packed install')
logger.flush(() => console.log(require.resolve('@logstash-async/pino')))
`)
      const child = new FixtureProcess(relative(FIXTURES, join(dir, 'app.js')), [])
      const exit = await child.exit()
      assert.equal(exit.code, 0, child.stderr)
      const [event] = await receiver.waitForEvents(1)
      assert.equal(event?.message, 'from a packed install')
      assert.equal(child.lines[0], join(modules, '@logstash-async', 'pino', 'dist', 'index.js'))
    } finally {
      temp.remove()
    }
  })
})

describe('LogstashTargetStream', () => {
  it('writes a chunk of many lines a thousand per turn of the event loop, so that the handler sends meanwhile', async () => {
    // A chunk is what pino's ring buffer held: thousands of lines. Written in one go, every
    // event would wait in the cache until the last line was read.
    const receiver = await TcpReceiver.start()
    const stream = await createTargetStream({ host: '127.0.0.1', port: receiver.port })
    try {
      const count = 20_000
      const chunk = Array.from({ length: count }, (_, seq) => JSON.stringify({ level: 30, time: Date.now(), seq, msg: 'chunk' }) + '\n').join('')
      let writing = true
      let sentWhileWriting = false
      const sample = (): void => {
        if (!writing) return
        const { inFlight, sent } = stream.handler.stats()
        if (inFlight > 0 || sent > 0) sentWhileWriting = true
        setImmediate(sample)
      }
      setImmediate(sample)
      await new Promise<void>((resolve, reject) => stream.write(chunk, (err) => err ? reject(err) : resolve()))
      writing = false
      assert.ok(sentWhileWriting, 'no batch was sent before the whole chunk had been written to the handler')
      await receiver.waitForEvents(count, 20_000)
      assert.deepEqual(receiver.events.map((e) => (e.extra as { seq: number }).seq), Array.from({ length: count }, (_, i) => i))
    } finally {
      stream.end()
      await once(stream, 'close')
      await receiver.close()
    }
  })
})

describe('LogstashTargetStream.flush()', () => {
  it('calls back once every line written before it is delivered, the ones still waiting in the stream too', async () => {
    // thread-stream asks for a flush once it handed its lines over: some still wait in the
    // stream's buffer, or in a chunk being written a thousand lines per turn.
    const receiver = await TcpReceiver.start()
    const stream = await createTargetStream({ host: '127.0.0.1', port: receiver.port, ...HOLDING })
    try {
      const lines = (from: number, count: number): string =>
        Array.from({ length: count }, (_, i) => JSON.stringify({ level: 30, time: Date.now(), seq: from + i, msg: 'flushed' }) + '\n').join('')
      stream.write(lines(0, 5000))
      stream.write(lines(5000, 3000))
      const sentAtCallback = await new Promise<number>((resolve, reject) => {
        stream.flush((err) => err ? reject(err) : resolve(stream.handler.stats().sent))
      })
      assert.equal(sentAtCallback, 8000)
      await receiver.waitForEvents(8000, 10_000)
    } finally {
      stream.end()
      await once(stream, 'close')
      await receiver.close()
    }
  })

  it('calls back after closeTimeoutMs when a receiver that stopped reading holds the lines back', async () => {
    const receiver = await TcpReceiver.start()
    receiver.pauseReading()
    // A small cache bound: the stream soon waits for it, with most lines still unwritten.
    const stream = await createTargetStream({ host: '127.0.0.1', port: receiver.port, cache: { maxEvents: 2000 }, timeoutMs: 60_000, closeTimeoutMs: 500 })
    try {
      const line = (seq: number): string => JSON.stringify({ level: 30, time: Date.now(), seq, msg: 'held back', pad: 'x'.repeat(1000) }) + '\n'
      const count = 10_000
      stream.write(Array.from({ length: count }, (_, seq) => line(seq)).join(''))
      const started = Date.now()
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error('flush did not call back within 5 s')), 5000)
        stream.flush((err) => { clearTimeout(guard); if (err) reject(err); else resolve() })
      })
      const took = Date.now() - started
      assert.ok(took >= 450 && took < 3000, `flush called back after ${took} ms`)
      assert.ok(stream.writableLength > 0, 'the lines were not held back: the test proves nothing')
      // Held back, not lost.
      receiver.resumeReading()
      await receiver.waitForEvents(count, 20_000)
    } finally {
      receiver.resumeReading()
      stream.end()
      await once(stream, 'close')
      await receiver.close()
    }
  })
})

describe('pino at process exit', () => {
  let receiver: TcpReceiver
  let child: FixtureProcess | undefined

  beforeEach(async () => { receiver = await TcpReceiver.start() })
  afterEach(async () => {
    await child?.kill()
    child = undefined
    await receiver.close()
  })

  for (const mode of ['destination', 'target', 'target-exit']) {
    it(`delivers 10,000 events when the process ends (${mode})`, async () => {
      child = new FixtureProcess('pino-exit.js', [String(receiver.port), '10000', '10000', mode])
      const exit = await child.exit(30_000)
      assert.equal(exit.code, 0, child.stderr)
      await receiver.waitForEvents(10_000, 10_000)
      assert.deepEqual(receiver.events.map((e) => (e.extra as { seq: number }).seq), Array.from({ length: 10_000 }, (_, i) => i))
      assert.equal(child.stderr, '')
    })

    it(`ends within closeTimeoutMs when Logstash stopped reading (${mode})`, async () => {
      // A cache bound the burst overruns, events the kernel's buffers cannot all take: the
      // target holds pino's lines back while the cache is half full. That hold must end
      // with the logger, or the exit waits for the receiver.
      receiver.pauseReading()
      const started = Date.now()
      child = new FixtureProcess('pino-exit.js', [String(receiver.port), '10000', '500', mode, '2000', '1000'])
      const exit = await child.exit(30_000)
      const took = Date.now() - started
      assert.equal(exit.code, 0, child.stderr)
      // Start-up and logging included; without the bound it waits for the receiver.
      assert.ok(took < 8000, `exited after ${took} ms`)
      // What the receiver did not take is counted and reported, not silently lost.
      assert.match(child.stderr, /DroppedEventsError \(LOGSTASH_(CACHE_FULL|CLOSE_UNDELIVERED|EXIT_UNDELIVERED)\)/)
    })

    it(`ends within closeTimeoutMs when Logstash is down (${mode})`, async () => {
      await receiver.kill()
      child = new FixtureProcess('pino-exit.js', [String(receiver.port), '10000', '500', mode])
      // Without the bound it would retry forever; the limit leaves a loaded machine room.
      const exit = await child.exit(15_000)
      assert.equal(exit.code, 0, child.stderr)
      assert.match(child.stderr, /10000 events not delivered within closeTimeoutMs \(500 ms\)/)
    })
  }
})
