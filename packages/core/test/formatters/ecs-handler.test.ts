import assert from 'node:assert/strict'
import { createLogger, EcsFormatter, LogstashHandler, requestContext } from '@logstash-async/core'
import { TcpReceiver } from '../../../../test/helpers/tcp-receiver'
import { assertEcsLine, valueAt } from '../../../../test/helpers/ecs-validate'

describe('EcsFormatter through LogstashHandler', () => {
  let receiver: TcpReceiver
  let handler: LogstashHandler | undefined
  const savedEnv = { format: process.env.LOGSTASH_FORMAT, service: process.env.LOGSTASH_SERVICE_NAME }

  beforeEach(async () => {
    receiver = await TcpReceiver.start()
  })

  afterEach(async () => {
    await handler?.close()
    handler = undefined
    await receiver.close()
    for (const [name, value] of [['LOGSTASH_FORMAT', savedEnv.format], ['LOGSTASH_SERVICE_NAME', savedEnv.service]] as const) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('delivers valid ECS lines over TCP, with request, error and user fields', async () => {
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 10, formatter: new EcsFormatter({ serviceName: 'shop', headers: ['accept', 'cookie'] }) })
    const log = createLogger({ handler, name: 'orders' })
    log.info('service started', { port: 3000 })
    requestContext.run({ id: 'req-1', method: 'POST', url: '/orders?x=1', host: 'shop.example', headers: { accept: 'text/plain', cookie: 'sid=1' } }, () => {
      log.error('payment failed', { err: new Error('declined', { cause: new Error('card expired') }), 'user.id': 'u-7', cart: { items: 2 } })
    })
    await handler.flush()
    await receiver.waitForEvents(2)
    assert.deepEqual(receiver.invalid, [])
    const [started, failed] = receiver.lines.map(assertEcsLine)
    assert.equal(started?.message, 'service started')
    assert.equal(valueAt(started, 'labels.port'), '3000')
    assert.equal(valueAt(started, 'log.logger'), 'orders')
    assert.equal(valueAt(failed, 'error.message'), 'declined')
    assert.match(valueAt(failed, 'error.stack_trace') as string, /Caused by: Error: card expired/)
    assert.equal(valueAt(failed, 'http.request.id'), 'req-1')
    assert.equal(valueAt(failed, 'url.domain'), 'shop.example')
    assert.deepEqual(valueAt(failed, 'http.request.headers'), { accept: 'text/plain', cookie: '[REDACTED]' })
    assert.equal(valueAt(failed, 'user.id'), 'u-7')
    assert.deepEqual(valueAt(failed, 'extra.cart'), { items: 2 })
    assert.equal(valueAt(failed, 'event.dataset'), 'shop.log')
  })

  it('writes ECS when LOGSTASH_FORMAT=ecs, with LOGSTASH_SERVICE_NAME as service.name', async () => {
    process.env.LOGSTASH_FORMAT = 'ecs'
    process.env.LOGSTASH_SERVICE_NAME = 'from-env'
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 10 })
    createLogger({ handler }).warn('configured by the environment')
    await handler.flush()
    const [event] = await receiver.waitForEvents(1)
    assertEcsLine(receiver.lines[0] as string)
    assert.equal(valueAt(event, 'service.name'), 'from-env')
    assert.equal(valueAt(event, 'event.dataset'), 'from-env.log')
    assert.equal(valueAt(event, 'log.level'), 'warn')
  })

  it('leaves a formatter passed for UDP as it is, and warns that it may produce events too large for a datagram', () => {
    const formatter = new EcsFormatter()
    const warnings: string[] = []
    const onWarning = (warning: Error & { code?: string }): void => { if (warning.code !== undefined) warnings.push(warning.code) }
    process.on('warning', onWarning)
    handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, transport: 'udp', formatter })
    assert.equal(formatter.maxEventBytes, undefined)
    // process.emitWarning() emits on the next tick.
    return new Promise<void>((resolve) => setImmediate(() => {
      process.off('warning', onWarning)
      assert.deepEqual(warnings, ['LOGSTASH_UDP_MAX_EVENT_BYTES'])
      resolve()
    }))
  })
})
