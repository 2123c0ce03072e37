import assert from 'node:assert/strict'
import 'reflect-metadata'
import {
  Global, Injectable, Module, type BeforeApplicationShutdown, type INestApplication, type OnApplicationShutdown, type OnModuleDestroy
} from '@nestjs/common'
import request from 'supertest'
import { LogstashHandler } from '@logstash-async/core'
import { InjectLogger, LogstashLogger, LogstashModule } from '@logstash-async/nest'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { rootModule } from './helpers/app'
import { type LogstashEvent } from './helpers/events'
import { createApp, forEachPlatform, listen } from './helpers/platforms'

const SHUTDOWN_LINES = ['module destroyed', 'before application shutdown', 'application shutdown']

/** Another module's provider that logs from each shutdown hook, after an await as real cleanup would. */
@Injectable()
class Cleanup implements OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor (@InjectLogger() private readonly logger: LogstashLogger) {}

  async onModuleDestroy (): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    this.logger.log('module destroyed', 'Cleanup')
  }

  async beforeApplicationShutdown (): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    this.logger.log('before application shutdown', 'Cleanup')
  }

  async onApplicationShutdown (): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    this.logger.log('application shutdown', 'Cleanup')
  }
}

@Module({ providers: [Cleanup] })
class CleanupModule {}

@Injectable()
class GlobalCleanup implements OnApplicationShutdown {
  constructor (@InjectLogger() private readonly logger: LogstashLogger) {}

  onApplicationShutdown (): void {
    this.logger.log('global module shutdown', 'GlobalCleanup')
  }
}

/** A global module imported after LogstashModule, as a database module would be. */
@Global()
@Module({ providers: [GlobalCleanup] })
class GlobalCleanupModule {}

forEachPlatform((platform) => {
  describe('shutdown', () => {
    let receiver: TcpReceiver
    let app: INestApplication | undefined

    beforeEach(async () => { receiver = await TcpReceiver.start() })
    afterEach(async () => {
      await app?.close()
      app = undefined
      await receiver.close()
    })

    // A flush interval far beyond the test: what arrives was sent by the shutdown itself.
    const slow = { flushIntervalMs: 600_000 }

    it('delivers everything on app.close(), with the lines of other modules\' shutdown hooks, then closes its handler', async () => {
      app = await createApp(rootModule(LogstashModule.forRoot({ host: receiver.host, port: receiver.port, ...slow }), { imports: [CleanupModule, GlobalCleanupModule] }), platform)
      const url = await listen(app)
      await request(url).post('/orders/1').send({ item: 'pen' }).expect(201)
      const handler = app.get(LogstashHandler)
      await app.close()
      app = undefined
      assert.equal(handler.closed, true)
      const stats = handler.stats()
      assert.deepEqual([stats.queued, stats.inFlight, stats.dropped], [0, 0, 0])
      const messages = (await receiver.waitForEvents(stats.sent)).map((event: LogstashEvent) => event.message)
      for (const line of [...SHUTDOWN_LINES, 'global module shutdown', 'from controller', 'from service']) assert.ok(messages.includes(line), line)
    })

    it('delivers everything on app.close() and leaves a given handler open', async () => {
      const handler = new LogstashHandler({ host: receiver.host, port: receiver.port, ...slow })
      try {
        app = await createApp(rootModule(LogstashModule.forRoot({ handler }), { imports: [CleanupModule] }), platform)
        await listen(app)
        await app.close()
        app = undefined
        assert.equal(handler.closed, false)
        const stats = handler.stats()
        assert.deepEqual([stats.queued, stats.inFlight, stats.dropped], [0, 0, 0])
        const messages = (await receiver.waitForEvents(stats.sent)).map((event: LogstashEvent) => event.message)
        for (const line of SHUTDOWN_LINES) assert.ok(messages.includes(line), line)
      } finally {
        await handler.close()
      }
    })
  })
})
