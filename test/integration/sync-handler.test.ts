import assert from 'node:assert/strict'
import { SyncLogstashHandler, createLogger, type LogstashError } from '@logstash-async/core'
import { TcpReceiver } from '../helpers/tcp-receiver'

describe('SyncLogstashHandler', () => {
  let receiver: TcpReceiver | undefined
  let handler: SyncLogstashHandler | undefined

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
    handler = undefined
    receiver = undefined
  })

  it('resolves true once the event is sent, in order', async () => {
    receiver = await TcpReceiver.start()
    handler = new SyncLogstashHandler({ host: '127.0.0.1', port: receiver.port })
    const results = await Promise.all([1, 2, 3].map((i) => handler?.log({ level: 'info', message: `m${i}` })))
    assert.deepEqual(results, [true, true, true])
    const events = await receiver.waitForEvents(3)
    assert.deepEqual(events.map((e) => e.message), ['m1', 'm2', 'm3'])
  })

  it('resolves false and reports, never rejects, when nothing listens', async () => {
    receiver = await TcpReceiver.start()
    const port = receiver.port
    await receiver.close()
    receiver = undefined
    const errors: LogstashError[] = []
    handler = new SyncLogstashHandler({ host: '127.0.0.1', port, onError: (err) => errors.push(err) })
    assert.equal(await handler.log({ level: 'error', message: 'lost' }), false)
    await new Promise<void>((resolve) => setImmediate(resolve))
    assert.match(errors[0]?.message ?? '', /event not delivered: cannot connect to tcp:\/\/127.0.0.1:\d+: ECONNREFUSED/)
  })

  it('works behind createLogger', async () => {
    receiver = await TcpReceiver.start()
    handler = new SyncLogstashHandler({ host: '127.0.0.1', port: receiver.port })
    createLogger({ handler, name: 'sync' }).warn('through the logger')
    await handler.flush()
    const [event] = await receiver.waitForEvents(1)
    assert.equal(event?.level, 'WARNING')
  })
})
