import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createLogger, LogstashHandler, type LogstashError, type TransportName } from '@logstash-async/core'
import { FixtureProcess } from '../helpers/child-process'

/** Accepts connections and never reads from them: the kernel buffers fill, writes wait for good. */
class NeverReadingServer {
  readonly sockets = new Set<Socket>()
  readonly #server: Server

  private constructor (server: Server) {
    this.#server = server
  }

  static async start (): Promise<NeverReadingServer> {
    const server = createServer()
    const started = new NeverReadingServer(server)
    server.on('connection', (socket) => {
      socket.pause()
      socket.on('error', () => {})
      started.sockets.add(socket)
      socket.on('close', () => started.sockets.delete(socket))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return started
  }

  get port (): number { return (this.#server.address() as AddressInfo).port }

  async close (): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}

const CLOSE_TIMEOUT_MS = 2000
// Generous against a loaded machine; what it guards against is 3, 10 or 15 s.
const MARGIN_MS = 1000
// Enough to fill the kernel buffers on both sides many times over.
const COUNT = 20_000

// A receiver that takes the connection and never reads: close() and the exit flush must
// still end within closeTimeoutMs, say once how many events were lost, and leave nothing open.
describe('shutdown with a receiver that never reads', function () {
  this.timeout(30_000)
  let server: NeverReadingServer | undefined
  let handler: LogstashHandler | undefined
  let child: FixtureProcess | undefined

  afterEach(async () => {
    await child?.kill()
    await handler?.close()
    await server?.close()
    server = handler = child = undefined
  })

  for (const transport of ['tcp', 'beats', 'http'] as TransportName[]) {
    it(`${transport}: close() returns within closeTimeoutMs, counts what was lost and reports it once`, async () => {
      const s = server = await NeverReadingServer.start()
      const errors: LogstashError[] = []
      const h = handler = new LogstashHandler({ transport, host: '127.0.0.1', port: s.port, closeTimeoutMs: CLOSE_TIMEOUT_MS, errorRateLimit: Infinity, onError: (err) => errors.push(err) })
      const log = createLogger({ handler: h })
      const padding = 'x'.repeat(1000)
      for (let seq = 0; seq < COUNT; seq++) log.info(`event ${seq}`, { seq, padding })
      const started = performance.now()
      await h.close()
      const elapsed = performance.now() - started
      assert.ok(elapsed < CLOSE_TIMEOUT_MS + MARGIN_MS, `close() took ${Math.round(elapsed)} ms`)
      const stats = h.stats()
      assert.equal(stats.queued + stats.inFlight, 0)
      assert.equal(stats.sent + stats.dropped, COUNT)
      assert.ok(stats.dropped > 0)
      await Promise.resolve()
      const reports = errors.filter((err) => err.code === 'LOGSTASH_CLOSE_UNDELIVERED')
      assert.equal(reports.length, 1, errors.map((e) => e.code).join(' '))
      assert.match(reports[0]?.message ?? '', new RegExp(`^${stats.dropped} events not delivered within closeTimeoutMs`))
    })

    it(`${transport}: the exit flush ends the process within closeTimeoutMs of the last log call, and reports the loss once`, async () => {
      const s = server = await NeverReadingServer.start()
      const c = child = new FixtureProcess('never-read-exit.js', [transport, String(s.port), String(COUNT), String(CLOSE_TIMEOUT_MS)])
      const line = await c.waitForLine(/^logged \d+$/)
      const exit = await c.exit(CLOSE_TIMEOUT_MS + 10_000)
      const took = Date.now() - Number(line.split(' ')[1])
      assert.deepEqual(exit, { code: 0, signal: null })
      assert.ok(took < CLOSE_TIMEOUT_MS + MARGIN_MS, `the process ended ${took} ms after its last log call`)
      const reports = c.stderr.split('\n').filter((l) => l.includes('LOGSTASH_EXIT_UNDELIVERED'))
      assert.equal(reports.length, 1, c.stderr)
      assert.match(reports[0] ?? '', /\d+ events not delivered within closeTimeoutMs \(2000 ms\) before exit/)
    })
  }
})
