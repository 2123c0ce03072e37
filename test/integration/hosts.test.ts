import assert from 'node:assert/strict'
import { createLogger, LogstashHandler, type HandlerOptions, type Logger } from '@logstash-async/core'
import { testPki } from '../helpers/certs'
import { assertExactlyOnce, range, received } from '../helpers/delivery-checks'
import { RECEIVER_KINDS, type AnyReceiver, type ReceiverKind } from '../helpers/receiver-kinds'
import { UdpReceiver } from '../helpers/udp-receiver'
import { waitFor } from '../helpers/wait'

// Several Logstash hosts, for every transport (and TLS): failover by default, load balancing
// on request, each host with its own backoff and figures. Retry caps are shortened so that
// a host's return is seen in a fraction of a second; the defaults' timing is measured by
// bench/delivery.js.
describe('several hosts', () => {
  const handlers: LogstashHandler[] = []
  const receivers: AnyReceiver[] = []
  const timers: NodeJS.Timeout[] = []

  afterEach(async () => {
    for (const timer of timers.splice(0)) clearInterval(timer)
    for (const receiver of receivers) receiver.answerAgain()
    await Promise.all(handlers.splice(0).map((h) => h.close()))
    await Promise.all(receivers.splice(0).map((r) => r.close()))
  })

  async function start (kind: ReceiverKind, count: number): Promise<AnyReceiver[]> {
    const started = await Promise.all(Array.from({ length: count }, () => kind.start()))
    receivers.push(...started)
    return started
  }

  function makeHandler (kind: ReceiverKind, ports: number[], options: HandlerOptions = {}): { handler: LogstashHandler, log: Logger } {
    const handler = new LogstashHandler({
      transport: kind.transport,
      hosts: ports.map((port) => `127.0.0.1:${port}`),
      ...(kind.tls ? { tls: { ca: testPki().ca } } : {}),
      batchSize: 50,
      flushCount: 50,
      flushIntervalMs: 10,
      timeoutMs: 400,
      retry: { initialDelayMs: 20, maxDelayMs: 200, maxReconnectDelayMs: 100 },
      onError: () => {},
      ...options
    })
    handlers.push(handler)
    return { handler, log: createLogger({ handler }) }
  }

  const logRange = (log: Logger, from: number, to: number): void => {
    for (let i = from; i < to; i++) log.info(`e${i}`)
  }

  for (const kind of RECEIVER_KINDS) {
    describe(kind.name, () => {
      it('fails over: one host at a time, the next at once when it dies, the first again once it is back', async () => {
        const [first, second] = await start(kind, 2) as [AnyReceiver, AnyReceiver]
        const { handler, log } = makeHandler(kind, [first.port, second.port])
        logRange(log, 0, 100)
        assert.equal(await handler.flush(), true)
        await received([first], 100)
        assert.deepEqual(first.messages(), range(0, 100))
        assert.deepEqual(handler.stats().hosts.map((h) => [h.state, h.sent]), [['active', 100], ['standby', 0]])

        await first.kill()
        logRange(log, 100, 200)
        assert.equal(await handler.flush(), true)
        await received([second], 100)
        assert.deepEqual(second.messages(), range(100, 200))
        assert.equal(handler.stats().hosts[0]?.state, 'down')

        await first.listen()
        // A host that failed is tried again (by connecting) once its backoff is over, as
        // events keep coming; then it takes the batches again.
        let next = 200
        await waitFor(() => {
          logRange(log, next, next + 1)
          next++
          return handler.stats().hosts[0]?.state === 'active'
        }, { timeoutMs: 5000, message: () => `the first host back (${JSON.stringify(handler.stats().hosts)})` })
        assert.equal(await handler.flush(), true)
        logRange(log, next, next + 100)
        assert.equal(await handler.flush(), true)
        await received([first, second], next + 100)
        assert.deepEqual(first.messages().slice(-100), range(next, next + 100))
        assertExactlyOnce([first, second], range(0, next + 100))
      })

      it('balances the load over every host, round robin, and counts what each got', async () => {
        const hosts = await start(kind, 3)
        const { handler, log } = makeHandler(kind, hosts.map((h) => h.port), { loadBalance: true })
        logRange(log, 0, 600)
        assert.equal(await handler.flush(), true)
        await received(hosts, 600)
        assertExactlyOnce(hosts, range(0, 600))
        const stats = handler.stats().hosts
        assert.deepEqual(stats.map((h) => h.sent), hosts.map((h) => h.messages().length))
        assert.ok(hosts.every((h) => h.messages().length > 0), `spread: ${hosts.map((h) => h.messages().length).join(' ')}`)
        assert.ok(stats.every((h) => h.state === 'active'))
      })
    })
  }

  describe('udp', () => {
    const udp: UdpReceiver[] = []
    afterEach(async () => { await Promise.all(udp.splice(0).map((r) => r.close())) })

    it('sends datagrams round robin over the hosts with loadBalance', async () => {
      udp.push(await UdpReceiver.start(), await UdpReceiver.start())
      const handler = new LogstashHandler({ transport: 'udp', hosts: udp.map((r) => `127.0.0.1:${r.port}`), loadBalance: true, batchSize: 10, flushCount: 10, flushIntervalMs: 10, onError: () => {} })
      handlers.push(handler)
      const log = createLogger({ handler })
      logRange(log, 0, 100)
      assert.equal(await handler.flush(), true)
      await waitFor(() => udp.reduce((n, r) => n + r.events.length, 0) === 100, { message: '100 datagrams' })
      assert.deepEqual(udp.map((r) => r.events.length), [50, 50])
      assert.deepEqual(handler.stats().hosts.map((h) => h.sent), [50, 50])
    })

    it('fails over from a host whose port is closed (ICMP port unreachable) to the next', async () => {
      udp.push(await UdpReceiver.start())
      const closed = await UdpReceiver.start()
      const closedPort = closed.port
      await closed.close()
      const handler = new LogstashHandler({ transport: 'udp', hosts: [`127.0.0.1:${closedPort}`, `127.0.0.1:${udp[0]?.port ?? 0}`], batchSize: 10, flushCount: 10, flushIntervalMs: 10, retry: { initialDelayMs: 1000, maxDelayMs: 1000 }, onError: () => {} })
      handlers.push(handler)
      const log = createLogger({ handler })
      // UDP learns of the closed port only from the ICMP answer to a datagram: the first
      // batch sent there is lost, and the error comes with the next send.
      let next = 0
      await waitFor(() => {
        logRange(log, next, next + 10)
        next += 10
        return handler.stats().hosts[0]?.state === 'down'
      }, { message: 'the closed port seen' })
      logRange(log, next, next + 10)
      assert.equal(await handler.flush(), true)
      await waitFor(() => udp[0]?.events.at(-1)?.message === `e${next + 9}`, { message: 'the last datagrams on the second host' })
      assert.deepEqual(udp[0]?.events.slice(-10).map((e) => e.message), range(next, next + 10))
    })
  })
})

