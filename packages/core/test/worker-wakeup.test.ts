import assert from 'node:assert/strict'
import { createLogger, LogstashHandler } from '@logstash-async/core'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'

// An unref()ed setImmediate does not wake an event loop that has nothing else to do: it
// runs only when some other timer or I/O ends the poll. The worker's "flushCount events
// waiting: send now" must not depend on such a wake-up.
describe('Worker wake-up', () => {
  let receiver: TcpReceiver
  let handler: LogstashHandler

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
  })

  // Resolves when the receiver has `count` lines; its only timer is the deadline, so
  // waiting does not itself wake the event loop (as waitFor's polling would).
  function linesArrive (count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${count} lines did not arrive within ${timeoutMs} ms (got ${receiver.lines.length})`)), timeoutMs)
      const check = (): void => {
        if (receiver.lines.length >= count) { clearTimeout(timer); resolve() }
      }
      for (const socket of receiver.sockets) socket.on('data', check)
      check()
    })
  }

  it('sends flushCount events logged in an idle moment at once, not at the next wake-up', async () => {
    receiver = await TcpReceiver.start()
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 60_000, flushCount: 10 })
    const log = createLogger({ handler })
    for (let i = 0; i < 10; i++) log.info(`connect ${i}`)
    await receiver.waitForEvents(10)

    // A timer callback with nothing else scheduled: the loop will block in poll after it.
    await new Promise<void>((resolve) => setTimeout(() => {
      for (let i = 0; i < 10; i++) log.info(`burst ${i}`)
      resolve()
    }, 1))
    await linesArrive(20, 2000)
    assert.equal(receiver.lines.length, 20)
  })
})
