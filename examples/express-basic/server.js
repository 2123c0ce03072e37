'use strict'
// An Express app whose every log event carries the fields of the request it belongs to,
// shipped to Logstash over TCP. LOGSTASH_HOST / LOGSTASH_PORT say where (default
// localhost:5959); PORT is the app's own port (default 3000, 0 picks a free one).
const express = require('express')
const { LogstashHandler, createLogger } = require('@logstash-async/core')
const { logstashMiddleware, logstashErrorMiddleware } = require('@logstash-async/express')

const handler = new LogstashHandler()
const log = createLogger({ handler, name: 'shop' })

const app = express()
// First, so everything after it (body parsers included) runs inside the request's context.
app.use(logstashMiddleware({ handler }))
app.use(express.json())

const orders = new Map([[42, { id: 42, item: 'tea', quantity: 2 }]])
let nextId = 43

app.get('/orders/:id', async (req, res) => {
  const order = await findOrder(Number(req.params.id))
  if (order === undefined) {
    res.status(404).json({ error: 'no such order' })
    return
  }
  // A plain logger: the request fields come from the async context, even after the await.
  log.info('order read', { orderId: order.id })
  res.json(order)
})

app.post('/orders', (req, res) => {
  const order = { id: nextId++, item: String(req.body.item), quantity: Number(req.body.quantity ?? 1) }
  orders.set(order.id, order)
  // req.log: the same, bound to this request even in callbacks that lost the context.
  req.log.info('order placed', { orderId: order.id, item: order.item })
  res.status(201).json(order)
})

app.get('/fail', () => {
  throw new Error('payment service unavailable', { cause: new Error('connect ECONNREFUSED 10.0.0.7:443') })
})

// Logs the error once (type, message, stack, cause, status), then hands it on.
app.use(logstashErrorMiddleware())
app.use((err, req, res, _next) => {
  res.status(err.status ?? 500).json({ error: 'internal error', requestId: req.requestId })
})

async function findOrder (id) {
  await new Promise((resolve) => setImmediate(resolve))
  return orders.get(id)
}

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address()
  log.info('listening', { port })
  console.log(`express-basic listening on http://${address}:${port}`)
})

async function shutdown (signal) {
  log.info('shutting down', { signal })
  // Stop taking requests, then deliver what is still queued (within closeTimeoutMs).
  server.close()
  await handler.close()
  console.log(`express-basic stopped (${signal})`)
}
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
