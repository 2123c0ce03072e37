import assert from 'node:assert/strict'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ConfigurationError, LogstashHandler, createLogger, defaultHandler } from '@logstash-async/core'
import { logstashPlugin, logstashStream } from '@logstash-async/fastify'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { RecordingHandler } from './recording-handler'

// Long enough that nothing is sent on the interval during a test: only close() or flush() sends.
const NEVER_MS = 600_000

describe('fastify plugin lifecycle', () => {
  let receiver: TcpReceiver | undefined
  let app: FastifyInstance | undefined
  let handler: LogstashHandler | undefined

  afterEach(async () => {
    await app?.close()
    await handler?.close()
    await receiver?.close()
    app = handler = receiver = undefined
  })

  /** A plugin registered after ours that logs while Fastify closes. */
  const closingPlugin = fp(async (fastify: FastifyInstance) => {
    const log = createLogger({ handler: fastify.logstash, name: 'shutdown' })
    fastify.addHook('onClose', async () => { log.info('other plugin closing') })
  })

  it('closes the handler it created on fastify.close(), delivering everything logged before', async () => {
    receiver = await TcpReceiver.start()
    app = Fastify()
    await app.register(logstashPlugin, { host: '127.0.0.1', port: receiver.port, flushIntervalMs: NEVER_MS, flushCount: 10_000 })
    await app.register(closingPlugin)
    app.get('/work/:n', async (request) => { request.logstash.info('working'); return 'ok' })
    await app.ready()
    const created = app.logstash
    assert.ok(created instanceof LogstashHandler)
    for (let n = 0; n < 5; n++) await app.inject(`/work/${n}`)
    assert.equal(receiver.events.length, 0, 'nothing is sent before close')

    await app.close()
    app = undefined
    assert.equal(created.closed, true)
    const events = await receiver.waitForEvents(11)
    assert.equal(events.filter((e) => e.message === 'working').length, 5)
    assert.equal(events.filter((e) => /^GET \/work\/\d 200 /.test(String(e.message))).length, 5)
    assert.equal(events.at(-1)?.message, 'other plugin closing')
    assert.deepEqual(receiver.invalid, [])
    assert.equal(created.stats().dropped, 0)
  })

  it('flushes, and leaves open, a handler it was given, with the pino lines of logstashStream', async () => {
    receiver = await TcpReceiver.start()
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: NEVER_MS, flushCount: 10_000 })
    app = Fastify({ logger: { stream: logstashStream(handler) }, logController: new LogController({ disableRequestLogging: true }) })
    await app.register(logstashPlugin, { handler })
    app.get('/pino', async (request) => { request.log.info({ step: 1 }, 'through pino'); return 'ok' })
    await app.inject('/pino')

    await app.close()
    app = undefined
    assert.equal(handler.closed, false)
    const events = await receiver.waitForEvents(2)
    const line = events.find((e) => e.message === 'through pino') as { extra: Record<string, unknown> } | undefined
    assert.equal(line?.extra.step, 1)
    assert.equal(line?.extra.req_route, '/pino')
    assert.equal(typeof line?.extra.request_id, 'string')
  })

  it('uses the process-wide default handler without options, and does not close it', async () => {
    app = Fastify()
    await app.register(logstashPlugin)
    await app.ready()
    assert.equal(app.logstash, defaultHandler())
    await app.close()
    app = undefined
    assert.equal(defaultHandler().closed, false)
  })

  it('flushes a given handler on close and never closes it', async () => {
    const recording = new RecordingHandler()
    app = Fastify()
    await app.register(logstashPlugin, { handler: recording })
    await app.close()
    app = undefined
    assert.equal(recording.flushes, 1)
    assert.equal(recording.closed, false)
  })

  it('refuses a handler together with handler options, naming them', async () => {
    app = Fastify()
    await assert.rejects(
      async () => { await app!.register(logstashPlugin, { handler: new RecordingHandler(), host: 'elsewhere' }) },
      (err: Error) => err instanceof ConfigurationError && /^logstashPlugin: handler cannot be combined with handler options, got handler and 'host'/.test(err.message)
    )
  })

  it('refuses a wrong plugin option, naming it and what arrived', async () => {
    app = Fastify()
    await assert.rejects(
      async () => { await app!.register(logstashPlugin, { handler: new RecordingHandler(), accessLog: 'yes' as unknown as boolean }) },
      (err: Error) => err instanceof ConfigurationError && err.message === 'accessLog must be true or false, got "yes"'
    )
  })

  it('refuses a wrong handler option through the handler\'s own validation', async () => {
    app = Fastify()
    await assert.rejects(
      async () => { await app!.register(logstashPlugin, { port: 70000 }) },
      (err: Error) => err instanceof ConfigurationError && /port/.test(err.message)
    )
  })

  it('ignores Fastify\'s own register options when deciding whether handler options were given', async () => {
    app = Fastify()
    await app.register(logstashPlugin, { prefix: '/api', logLevel: 'warn' })
    await app.ready()
    assert.equal(app.logstash, defaultHandler())
  })
})
