import assert from 'node:assert/strict'
import 'reflect-metadata'
import type { INestApplication } from '@nestjs/common'
import { LogstashHandler, type LogRecord, type LogSink } from '@logstash-async/core'
import { LogstashLogger, LogstashModule } from '@logstash-async/nest'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { waitFor } from '../../../test/helpers/wait'
import { OrdersService, rootModule } from './helpers/app'
import { extra, type LogstashEvent } from './helpers/events'
import { createApp, forEachPlatform, listen } from './helpers/platforms'

class RecordingSink implements LogSink {
  readonly records: LogRecord[] = []
  log (record: LogRecord): void { this.records.push(record) }
}

describe('LogstashLogger', () => {
  let sink: RecordingSink
  let logger: LogstashLogger

  beforeEach(() => {
    sink = new RecordingSink()
    logger = new LogstashLogger(sink as unknown as LogstashHandler)
  })

  it('maps Nest\'s levels to the core\'s', () => {
    logger.verbose('v')
    logger.debug('d')
    logger.log('l')
    logger.warn('w')
    logger.error('e')
    logger.fatal('f')
    assert.deepEqual(sink.records.map((r) => [r.level, r.message]), [
      ['trace', 'v'], ['debug', 'd'], ['info', 'l'], ['warn', 'w'], ['error', 'e'], ['fatal', 'f']
    ])
  })

  it('takes the last string argument as the logger name (Nest\'s context)', () => {
    logger.log('started', 'Bootstrap')
    logger.log('plain')
    assert.equal(sink.records[0]!.logger, 'Bootstrap')
    assert.equal(sink.records[0]!.message, 'started')
    assert.equal(sink.records[1]!.logger, undefined)
  })

  it('makes an Error the event\'s error and its message the message', () => {
    const err = new TypeError('bad input')
    logger.error(err, undefined, 'ExceptionsHandler')
    assert.equal(sink.records[0]!.error, err)
    assert.equal(sink.records[0]!.message, 'bad input')
    assert.equal(sink.records[0]!.logger, 'ExceptionsHandler')
  })

  it('turns Nest\'s error(message, stack, context) into an error with that stack', () => {
    const stack = 'Error: boom\n    at Service.run (/app/service.js:1:1)'
    logger.error('boom', stack, 'Service')
    const error = sink.records[0]!.error as Error
    assert.equal(error.message, 'boom')
    assert.equal(error.stack, stack)
    assert.equal(sink.records[0]!.logger, 'Service')
  })

  it('takes plain objects as fields, in the message position or after it', () => {
    logger.log({ message: 'order placed', orderId: 42 }, 'Orders')
    logger.log('order paid', { orderId: 43 }, 'Orders')
    assert.deepEqual([sink.records[0]!.message, sink.records[0]!.fields], ['order placed', { orderId: 42 }])
    assert.deepEqual([sink.records[1]!.message, sink.records[1]!.fields], ['order paid', { orderId: 43 }])
  })

  it('logs only the levels given to setLogLevels', () => {
    logger.setLogLevels(['error', 'warn'])
    logger.log('skipped')
    logger.debug('skipped')
    logger.warn('kept')
    logger.error('kept too')
    assert.deepEqual(sink.records.map((r) => r.message), ['kept', 'kept too'])
  })

  it('never throws, even when the handler does', () => {
    const throwing = new LogstashLogger({ log () { throw new Error('broken sink') } } as unknown as LogstashHandler)
    assert.doesNotThrow(() => throwing.log('x'))
    assert.doesNotThrow(() => logger.log(Object.create(null)))
  })
})

forEachPlatform((platform) => {
  describe('LogstashLogger as the application logger', () => {
    let receiver: TcpReceiver
    let app: INestApplication | undefined

    beforeEach(async () => {
      receiver = await TcpReceiver.start()
    })

    afterEach(async () => {
      await app?.close()
      app = undefined
      await receiver.close()
    })

    it('ships the boot logs Nest buffered before app.useLogger()', async () => {
      app = await createApp(rootModule(LogstashModule.forRoot({ host: receiver.host, port: receiver.port, flushIntervalMs: 10 })), platform, { bufferLogs: true, logger: undefined })
      app.useLogger(app.get(LogstashLogger))
      await listen(app)
      const events = receiver.events as LogstashEvent[]
      const started = (): LogstashEvent | undefined => events.find((event) => extra(event).logger_name === 'NestApplication')
      await waitFor(() => started() !== undefined, { message: 'the NestApplication boot log' })
      const starting = events.find((event) => extra(event).logger_name === 'NestFactory')
      assert.equal(starting?.message, 'Starting Nest application...')
      // Logged while the modules were created, long before app.useLogger().
      assert.ok(events.some((event) => extra(event).logger_name === 'InstanceLoader' && /LogstashModule dependencies initialized/.test(String(event.message))))
      assert.ok(events.some((event) => extra(event).logger_name === 'RouterExplorer'), 'the mapped routes')
      assert.equal(started()!.level, 'INFO')
    })

    it('is the same instance whether injected by class or with @InjectLogger()', async () => {
      app = await createApp(rootModule(LogstashModule.forRoot({ host: receiver.host, port: receiver.port })), platform)
      await app.init()
      const service = app.get(OrdersService) as unknown as { logger: LogstashLogger }
      assert.equal(service.logger, app.get(LogstashLogger))
    })
  })
})
