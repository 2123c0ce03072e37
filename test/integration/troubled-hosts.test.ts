import assert from 'node:assert/strict'
import { createLogger, LogstashHandler, type Logger } from '@logstash-async/core'
import { assertExactlyOnce, range, received, refusingPort } from '../helpers/delivery-checks'
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
        const dead = await refusingPort()
        const [silent, live] = await Promise.all([kind.start(), kind.start()])
        receivers.push(silent, live)
        silent.neverAnswer()
        handler = new LogstashHandler({
          transport: kind.transport,
          hosts: [dead, silent.port, live.port].map((port) => `127.0.0.1:${port}`),
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
        await received([live], live.messages().length + 200)
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
          await waitFor(() => live.messages().includes(`e${app.logged - 1}`) || silent.messages().includes(`e${app.logged - 1}`), { message: 'the last event' })
          const all = [...silent.messages(), ...live.messages()]
          assert.equal(new Set(all).size, all.length, 'an event arrived twice')
          const missing = expected.filter((m) => !all.includes(m))
          assert.ok(missing.every((m) => Number(m.slice(1)) < loggedAtRestart), `lost after the restart: ${missing.slice(0, 5).join(' ')}`)
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
