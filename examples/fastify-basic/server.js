'use strict'
const { randomUUID } = require('node:crypto')
const Fastify = require('fastify')
const { LogstashHandler } = require('@logstash-async/core')
const { logstashPlugin, logstashStream } = require('@logstash-async/fastify')

// One handler for everything: the plugin's access and error events and pino's lines.
// Host and port come from LOGSTASH_HOST and LOGSTASH_PORT (default localhost:5959).
const handler = new LogstashHandler()

const app = Fastify({
  // request.log and app.log lines become Logstash events carrying the request's fields.
  logger: { stream: logstashStream(handler) },
  // The plugin writes one access event per request: Fastify's own 'incoming request' and
  // 'request completed' lines would ship every request a second time.
  logController: new Fastify.LogController({ disableRequestLogging: true }),
  // Reuse the caller's request id when there is one; a UUID otherwise.
  requestIdHeader: 'x-request-id',
  genReqId: () => randomUUID()
})

// Register first, so every later hook and route runs inside the request context.
app.register(logstashPlugin, { handler })

const orders = new Map([[1, { id: 1, item: 'book' }]])

app.get('/orders/:id', async (request, reply) => {
  const order = orders.get(Number(request.params.id))
  if (order === undefined) return reply.code(404).send({ message: 'no such order' })
  request.log.info({ orderId: order.id }, 'order looked up')
  return order
})

app.post('/orders', {
  schema: { body: { type: 'object', required: ['item'], properties: { item: { type: 'string' } } } }
}, async (request, reply) => {
  await new Promise((resolve) => setImmediate(resolve)) // a database call, say
  const order = { id: orders.size + 1, item: request.body.item }
  orders.set(order.id, order)
  request.logstash.info('order placed', { orderId: order.id, item: order.item })
  return reply.code(201).send(order)
})

app.get('/fail', async () => {
  throw new Error('payment service unavailable', { cause: new Error('connect ECONNREFUSED') })
})

async function main () {
  const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
  console.log(`listening on ${address}, shipping to ${handler.options.host}:${handler.options.port}`)
}

// app.close() waits for requests in flight and flushes the handler; close it last.
async function shutdown () {
  await app.close()
  await handler.close()
  console.log(`stopped; ${handler.stats().sent} events delivered`)
}

process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
