import assert from 'node:assert/strict'
import { createLogger, LogstashHandler, type Logger } from '@logstash-async/core'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { waitFor } from '../helpers/wait'

function sequence (receiver: TcpReceiver): unknown[] {
  return receiver.events.map((event) => (event.extra as { seq?: unknown } | undefined)?.seq)
}

function range (count: number): number[] {
  return Array.from({ length: count }, (_, i) => i)
}

describe('delivery through a receiver outage', () => {
  let receiver: TcpReceiver | undefined
  let handler: LogstashHandler | undefined
  const timers: NodeJS.Timeout[] = []

  afterEach(async () => {
    for (const timer of timers) clearTimeout(timer)
    timers.length = 0
    await handler?.close()
    await receiver?.close()
    receiver = handler = undefined
  })

  /** Scenario driver: an application that logs `perTick` numbered events every few ms. */
  function logSteadily (log: Logger, perTick: number): { readonly logged: number, stop: () => void } {
    let logged = 0
    const timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) log.info(`event ${logged}`, { seq: logged++ })
    }, 5)
    timers.push(timer)
    return { get logged () { return logged }, stop: () => clearInterval(timer) }
  }

  function newHandler (port: number): LogstashHandler {
    handler = new LogstashHandler({
      host: '127.0.0.1',
      port,
      flushIntervalMs: 10,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      onError: () => {}
    })
    return handler
  }

  it('delivers every event in order, once, when the receiver starts a second after logging began', async () => {
    receiver = await TcpReceiver.start()
    await receiver.kill()
    const down = receiver
    const handler = newHandler(down.port)
    const app = logSteadily(createLogger({ handler }), 5)
    let loggedWhileDown = 0
    // Scenario: Logstash comes up one second after the application started logging.
    timers.push(setTimeout(() => { loggedWhileDown = app.logged; void down.listen() }, 1000))
    await waitFor(() => loggedWhileDown > 0 && app.logged >= loggedWhileDown + 300, { timeoutMs: 10_000, message: 'logging after the start' })
    app.stop()
    assert.equal(await handler.flush(), true)
    await down.waitForEvents(app.logged)
    assert.deepEqual(sequence(down), range(app.logged))
    assert.deepEqual(down.invalid, [])
    const stats = handler.stats()
    assert.ok(stats.failedSends > 0, 'sends failed while the receiver was down')
    assert.equal(stats.sent, app.logged)
    assert.equal(stats.dropped, 0)
  })

  it('sends again within retry.maxReconnectDelayMs (2 s by default) of the receiver coming back', async () => {
    // The case is a 60 s outage (bench/delivery.js measures it with the defaults);
    // 4 s takes the reconnect backoff to its cap with the default retry options (an uncapped
    // one would wait 3 to 6 s more by then).
    receiver = await TcpReceiver.start()
    const server = receiver
    handler = new LogstashHandler({ host: '127.0.0.1', port: server.port, onError: () => {} })
    const h = handler
    const app = logSteadily(createLogger({ handler: h }), 1)
    await server.waitForEvents(10)
    await server.kill()
    const failures = h.stats().failedSends
    await waitFor(() => h.stats().failedSends > failures, { message: 'a failed send' })
    const downAt = Date.now()
    await waitFor(() => Date.now() - downAt >= 4000, { timeoutMs: 6000, message: 'four seconds of outage' })
    const received = server.events.length
    await server.listen(server.port)
    const upAt = Date.now()
    await waitFor(() => server.events.length > received, { timeoutMs: 10_000, message: 'the first event after the return' })
    const after = Date.now() - upAt
    app.stop()
    // The reconnect cap, one connection and one send: generous against a loaded machine.
    assert.ok(after < 2000 + 1000, `first event ${after} ms after the receiver was back`)
  })

  it('loses nothing when the receiver is killed mid-stream and restarted on the same port', async () => {
    receiver = await TcpReceiver.start()
    const server = receiver
    const handler = newHandler(server.port)
    const app = logSteadily(createLogger({ handler }), 5)

    // It dies right after reading everything the handler counts as sent: bytes the kernel
    // took but Logstash never read are lost with any ack-less TCP input.
    let killed = false
    void server.killWhen(() => {
      const { sent, inFlight } = handler.stats()
      return sent >= 300 && inFlight === 0 && server.events.length === sent
    }).then(() => { killed = true })
    await waitFor(() => killed, { timeoutMs: 10_000, message: 'the receiver to read 300 events and die' })
    const failedBefore = handler.stats().failedSends
    await waitFor(() => handler.stats().failedSends >= failedBefore + 2, { message: 'sends failing while the receiver is down' })
    const loggedWhileDown = app.logged
    await server.listen(server.port)
    await waitFor(() => app.logged >= loggedWhileDown + 300, { message: 'logging after the restart' })
    app.stop()

    assert.equal(await handler.flush(), true)
    await server.waitForEvents(app.logged)
    assert.deepEqual(sequence(server), range(app.logged))
    assert.equal(server.connections >= 2, true)
    assert.equal(handler.stats().sent, app.logged)
    assert.equal(handler.stats().dropped, 0)
  })
})
