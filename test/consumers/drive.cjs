'use strict'
// What consumer.cjs and consumer.mjs do with the packages once each loaded them its own way
// (require, import): the same application, so that only the loading differs.
const { once } = require('node:events')

async function get (url) {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
  await response.text()
}

async function viaExpress ({ express, logstashMiddleware, logstashErrorMiddleware }, handler) {
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

async function viaFastify ({ Fastify, logstashPlugin }, handler) {
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

async function viaNest ({ Controller, Get, Module, NestFactory, LogstashModule }, handler) {
  // Plain JavaScript has no decorator syntax: apply Nest's decorators as TypeScript emits them.
  class OrdersController {
    find () { return { id: 42 } }
  }
  Reflect.decorate([Get(':id')], OrdersController.prototype, 'find', Object.getOwnPropertyDescriptor(OrdersController.prototype, 'find'))
  Reflect.decorate([Controller('orders')], OrdersController)
  class AppModule {}
  Reflect.decorate([Module({ imports: [LogstashModule.forRoot({ handler })], controllers: [OrdersController] })], AppModule)
  const app = await NestFactory.create(AppModule, { logger: false })
  await app.listen(0, '127.0.0.1')
  await get(`http://127.0.0.1:${app.getHttpServer().address().port}/orders/42`)
  await app.close()
}

/** Logs through core, Express, Fastify and Nest to LOGSTASH_HOST:LOGSTASH_PORT, then closes the handler. */
async function drive (consumer, modules) {
  const { LogstashFormatter, LogstashHandler, createLogger } = modules
  const handler = new LogstashHandler({ formatter: new LogstashFormatter({ extra: { consumer } }) })
  createLogger({ handler, name: 'core' }).info('core event', { consumer })
  await viaExpress(modules, handler)
  await viaFastify(modules, handler)
  await viaNest(modules, handler)
  await handler.close()
}

module.exports = { drive }
