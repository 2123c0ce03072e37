// A TypeScript application using every package the way a user would, strict. The type test
// compiles it with TypeScript 5 under each module resolution; the pack test compiles it
// against the installed tarballs and runs it against a local receiver (LOGSTASH_HOST/PORT).
import 'reflect-metadata'
import { once } from 'node:events'
import type { AddressInfo, Server } from 'node:net'
import { LogstashFormatter, LogstashHandler, createLogger, type Logger } from '@logstash-async/core'
import express from 'express'
import { logstashErrorMiddleware, logstashMiddleware } from '@logstash-async/express'
import Fastify from 'fastify'
import { logstashPlugin } from '@logstash-async/fastify'
import { Controller, Get, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { InjectLogger, LogstashLogger, LogstashModule } from '@logstash-async/nest'

const consumer = process.env.CONSUMER ?? 'ts'
const handler = new LogstashHandler({ formatter: new LogstashFormatter({ extra: { consumer } }) })

async function get (url: string): Promise<void> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
  await response.text()
}

async function viaExpress (): Promise<void> {
  const app = express()
  app.use(logstashMiddleware({ handler }))
  app.get('/orders/:id', (req, res) => {
    const log: Logger = req.log
    log.info('express route', { orderId: req.params.id, requestId: req.requestId })
    res.json({ id: req.params.id })
  })
  app.use(logstashErrorMiddleware())
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  await get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/42`)
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

async function viaFastify (): Promise<void> {
  const app = Fastify()
  await app.register(logstashPlugin, { handler })
  app.get<{ Params: { id: string } }>('/orders/:id', async (request) => {
    request.logstash.info('fastify route', { orderId: request.params.id })
    return { id: request.params.id }
  })
  const response = await app.inject({ method: 'GET', url: '/orders/42' })
  if (response.statusCode !== 200) throw new Error(`fastify: ${response.statusCode}`)
  await app.close()
}

@Controller('orders')
class OrdersController {
  constructor (@InjectLogger() private readonly logger: LogstashLogger) {}

  @Get(':id')
  find (): { id: number } {
    this.logger.log('nest route', { orderId: 42 }, OrdersController.name)
    return { id: 42 }
  }
}

@Module({ imports: [LogstashModule.forRoot({ handler })], controllers: [OrdersController] })
class AppModule {}

async function viaNest (): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: false })
  await app.listen(0, '127.0.0.1')
  const server: Server = app.getHttpServer()
  await get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/42`)
  await app.close()
}

async function main (): Promise<void> {
  createLogger({ handler, name: 'core' }).info('core event', { consumer })
  await viaExpress()
  await viaFastify()
  await viaNest()
  await handler.close()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
