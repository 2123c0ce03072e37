import 'reflect-metadata'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Controller, Get, Header, Module, StreamableFile } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { createLogger, type LogstashHandler } from '@logstash-async/core'
import { LogstashModule } from '@logstash-async/nest'
import type { AdapterUnderTest } from './adapter-under-test'
import { chunkedSource, isSkippedPath, LATE_CHUNK, STREAM_CHUNKS } from './routes'

function nestAdapter (platform: 'express' | 'fastify'): AdapterUnderTest {
  return {
    name: `Nest on ${platform}`,
    async start (sink, control) {
      const log = createLogger({ handler: sink, name: 'route' })

      @Controller()
      class ContractController {
        @Get('ok')
        @Header('x-answer', '42')
        @Header('content-type', 'text/plain')
        ok (): string {
          log.info('in route')
          return 'ok'
        }

        @Get('stream')
        stream (): StreamableFile {
          return new StreamableFile(chunkedSource(STREAM_CHUNKS), { type: 'text/plain' })
        }

        @Get('hang')
        async hang (): Promise<string> {
          control.enter()
          await control.released
          return 'late'
        }

        @Get('fail')
        fail (): never {
          throw new Error('boom')
        }

        @Get('fail-late')
        failLate (): StreamableFile {
          return new StreamableFile(chunkedSource([LATE_CHUNK], new Error('source failed')), { type: 'text/plain' })
        }

        @Get('health')
        health (): string {
          log.info('health checked')
          return 'ok'
        }
      }

      @Module({
        imports: [LogstashModule.forRoot({
          handler: sink as unknown as LogstashHandler,
          skip: (req: IncomingMessage, _res: ServerResponse) => isSkippedPath(req.url)
        })],
        controllers: [ContractController]
      })
      class ContractModule {}

      const app = await NestFactory.create(ContractModule, platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false })
      await app.listen(0, '127.0.0.1')
      return {
        url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`,
        async close () { await app.close() }
      }
    }
  }
}

export const NEST_ADAPTERS: readonly AdapterUnderTest[] = [nestAdapter('express'), nestAdapter('fastify')]
