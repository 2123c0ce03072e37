import assert from 'node:assert/strict'
import { createLogger, LogstashHandler, type Logger } from '@logstash-async/core'
import { assertExactlyOnce, range, received, refusingAddress } from '../helpers/delivery-checks'
import { RECEIVER_KINDS, type AnyReceiver } from '../helpers/receiver-kinds'
import { waitFor } from '../helpers/wait'

// Three Logstash hosts in trouble at once: one refuses connections, one takes them and never
// answers (TCP: never reads), one is killed mid-stream and restarted. Every event must arrive
// (Beats and HTTP: exactly once; TCP: none twice, and only what the killed receiver had not
// read lost, as the README says), and none waits behind a host that does not answer.
describe('three troubled hosts', function () {
  this.timeout(30_000)
  const receivers: AnyReceiver[] = []
  let handler: LogstashHandler | undefined
  let timer: NodeJS.Timeout | undefined

  afterEach(async () => {
    clearInterval(timer)
    for (const receiver of receivers) receiver.answerAgain()
    await handler?.close()
    await Promise.all(receivers.splice(0).map((r) => r.close()))
    handler = undefined
  })

  /** Each message that arrived more than once, with where each copy came: `e12 silent:1 live:3`. */
  function twice (hosts: readonly [AnyReceiver, AnyReceiver]): string[] {
    const seen = new Map<string, string[]>()
    hosts.forEach((receiver, i) => {
      const connections = receiver.connectionOf()
      receiver.messages().forEach((m, at) => {
        seen.set(m, [...(seen.get(m) ?? []), `${i === 0 ? 'silent' : 'live'}:${connections?.[at] ?? '?'}`])
      })
    })
    return [...seen].filter(([, where]) => where.length > 1).map(([m, where]) => `${m} ${where.join(' ')}`)
  }

  /** An application that logs 20 numbered events every 5 ms until stopped. */
  function logSteadily (log: Logger): { readonly logged: number, stop: () => void } {
    let logged = 0
    timer = setInterval(() => {
      for (let i = 0; i < 20; i++) log.info(`e${logged++}`)
    }, 5)
    return { get logged () { return logged }, stop: () => clearInterval(timer) }
  }

  for (const kind of RECEIVER_KINDS.filter((k) => !k.tls)) {
    for (const loadBalance of [false, true]) {
      it(`${kind.name}, ${loadBalance ? 'load balanced' : 'failover'}: every event delivered, none stuck behind a dead host, figures per host`, async () => {
        const [silent, live] = await Promise.all([kind.start(), kind.start()])
        receivers.push(silent, live)
        silent.neverAnswer()
        handler = new LogstashHandler({
          transport: kind.transport,
          hosts: [refusingAddress(silent.port), ...[silent.port, live.port].map((port) => `127.0.0.1:${port}`)],
          loadBalance,
          batchSize: 50,
          flushCount: 50,
          flushIntervalMs: 10,
          timeoutMs: 300,
          retry: { initialDelayMs: 20, maxDelayMs: 300, maxReconnectDelayMs: 100 },
          onError: () => {}
        })
        const h = handler
        const app = logSteadily(createLogger({ handler: h }))

        await received([live], 200)
        const failedBefore = h.stats().hosts[2]?.failedSends ?? 0
        // Killed mid-stream: the batch it gets next is never answered (TCP: read in part).
        await live.dieOnNextBatch(live.messages().length + 10)
        await waitFor(() => (h.stats().hosts[2]?.failedSends ?? 0) > failedBefore, { message: 'the killed host to fail' })
        await live.listen()
        const loggedAtRestart = app.logged
        await received([live], live.messages().length + 200).catch((error: Error) => {
          throw new Error(`${error.message}; ${JSON.stringify(h.stats())}`)
        })
        app.stop()

        if (kind.transport === 'tcp') {
          // What was written to the receiver that does not read waits there; everything else
          // is delivered meanwhile.
          await waitFor(() => {
            const stats = h.stats()
            return stats.queued === 0 && stats.inFlight === (stats.hosts[1]?.inFlight ?? 0)
          }, { timeoutMs: 10_000, message: () => `all but what waits at the silent host (${JSON.stringify(h.stats())})` })
        }
        silent.answerAgain()
        assert.equal(await h.flush(), true, JSON.stringify(h.stats()))
        const stats = h.stats()
        assert.deepEqual({ queued: stats.queued, inFlight: stats.inFlight, dropped: stats.dropped }, { queued: 0, inFlight: 0, dropped: 0 })
        assert.equal(stats.sent, app.logged)

        const expected = range(0, app.logged)
        if (kind.transport === 'tcp') {
          // TCP: what was written to the killed receiver's connection and not read when it
          // died is lost (its kernel, or ours, had it); nothing twice, nothing after the restart.
          // The silent host reads what waits in its kernel a moment after it answers again.
          const all = (): string[] => [...silent.messages(), ...live.messages()]
          const lostAfterRestart = (): string[] => {
            const arrived = new Set(all())
            return expected.slice(loggedAtRestart).filter((m) => !arrived.has(m))
          }
          await waitFor(() => lostAfterRestart().length === 0, {
            message: () => `the events logged after the restart; missing ${lostAfterRestart().slice(0, 5).join(' ')}... (silent got ${silent.messages().length}, live ${live.messages().length}; ${JSON.stringify(stats)})`
          })
          assert.deepEqual(twice([silent, live]), [], 'events that arrived twice (host:connection of each copy)')
        } else {
          assertExactlyOnce([silent, live], expected, { ordered: false })
        }
        const hosts = stats.hosts
        assert.deepEqual({ sent: hosts[0]?.sent, state: hosts[0]?.state }, { sent: 0, state: 'down' })
        assert.ok((hosts[0]?.failedSends ?? 0) > 0)
        if (kind.transport !== 'tcp') assert.deepEqual(hosts.slice(1).map((s) => s.sent), [silent.messages().length, live.messages().length])
      })
    }
  }
})
