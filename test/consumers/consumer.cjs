'use strict'
// A CommonJS application using every package (see consumer.ts): run by the pack test against
// the installed tarballs and a local receiver (LOGSTASH_HOST/PORT).
require('reflect-metadata')
const { once } = require('node:events')
const { LogstashFormatter, LogstashHandler, createLogger } = require('@logstash-async/core')
const express = require('express')
const { logstashErrorMiddleware, logstashMiddleware } = require('@logstash-async/express')
const Fastify = require('fastify')
const { logstashPlugin } = require('@logstash-async/fastify')
const { Controller, Get, Module } = require('@nestjs/common')
const { NestFactory } = require('@nestjs/core')
const { LogstashModule } = require('@logstash-async/nest')

const consumer = process.env.CONSUMER ?? 'cjs'
const handler = new LogstashHandler({ formatter: new LogstashFormatter({ extra: { consumer } }) })

async function get (url) {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
  await response.text()
}

async function viaExpress () {
  const app = express()
  app.use(logstashMiddleware({ handler }))
  app.get('/orders/:id', (req, res) => {
    req.log.info('express route', { orderId: req.params.id })
    res.json({ id: req.params.id })
  })
  app.use(logstashErrorMiddleware())
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  await get(`http://127.0.0.1:${server.address().port}/orders/42`)
  await new Promise((resolve) => server.close(resolve))
}

async function viaFastify () {
  const app = Fastify()
  await app.register(logstashPlugin, { handler })
  app.get('/orders/:id', async (request) => {
    request.logstash.info('fastify route', { orderId: request.params.id })
    return { id: request.params.id }
  })
  const response = await app.inject({ method: 'GET', url: '/orders/42' })
  if (response.statusCode !== 200) throw new Error(`fastify: ${response.statusCode}`)
  await app.close()
}

// Plain JavaScript has no decorator syntax: apply Nest's decorators as TypeScript emits them.
class OrdersController {
  find () { return { id: 42 } }
}
Reflect.decorate([Get(':id')], OrdersController.prototype, 'find', Object.getOwnPropertyDescriptor(OrdersController.prototype, 'find'))
Reflect.decorate([Controller('orders')], OrdersController)
class AppModule {}
Reflect.decorate([Module({ imports: [LogstashModule.forRoot({ handler })], controllers: [OrdersController] })], AppModule)

async function viaNest () {
  const app = await NestFactory.create(AppModule, { logger: false })
  await app.listen(0, '127.0.0.1')
  await get(`http://127.0.0.1:${app.getHttpServer().address().port}/orders/42`)
  await app.close()
}

async function main () {
  createLogger({ handler, name: 'core' }).info('core event', { consumer })
  await viaExpress()
  await viaFastify()
  await viaNest()
  await handler.close()
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
