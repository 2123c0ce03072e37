import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ecsFormat } from '@elastic/ecs-pino-format'
import pino from 'pino'
import request from 'supertest'
import { EcsFormatter } from '@logstash-async/core'
import { contextFromIncoming } from '@logstash-async/core/adapter'
import { assertEcsLine, leafPaths, valueAt } from '../../../../test/helpers/ecs-validate'

interface Pair { pino: Record<string, unknown>, pinoLine: string, ours: Record<string, unknown> }

// The same request, logged by @elastic/ecs-pino-format (the Elastic reference for Node) and
// by the EcsFormatter, so every difference in field names and nesting is seen, and each one
// is a deliberate one listed in docs/ecs.md.
async function logOneRequest (): Promise<Pair> {
  const pinoLines: string[] = []
  const pinoLogger = pino({ ...ecsFormat({ convertReqRes: true, apmIntegration: false, serviceName: 'shop' }), name: 'orders' },
    { write: (line: string) => { pinoLines.push(line) } })
  const formatter = new EcsFormatter({ serviceName: 'shop', apmIntegration: false })
  const fields = { orderId: 42, 'user.id': 'u-1', cart: { items: 2 } }
  let ours = ''
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.statusCode = 201
      res.end('{"ok":true}')
      const err = new Error('boom')
      pinoLogger.info({ req, res, err, ...fields }, 'handled')
      const context = { ...contextFromIncoming(req, { id: String(req.headers['x-request-id']) }), statusCode: res.statusCode, responseHeaders: res.getHeaders() }
      ours = formatter.format({ level: 'info', message: 'handled', logger: 'orders', time: Date.now(), error: err, fields }, context)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
      .post('/orders/42?expand=items')
      .set('x-request-id', 'req-9').set('user-agent', 'test-agent/1').set('referer', 'http://shop.example/cart')
      .send({ a: 1 })
      .expect(201)
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  const pinoLine = pinoLines[0] as string
  return { pino: JSON.parse(pinoLine) as Record<string, unknown>, pinoLine, ours: assertEcsLine(ours) }
}

describe('EcsFormatter compared with @elastic/ecs-pino-format on the same request', () => {
  let pair: Pair
  before(async () => { pair = await logOneRequest() })

  it('writes the same value for every field both write, but the deliberate differences', () => {
    const ourPaths = new Set(leafPaths(pair.ours))
    // @timestamp may differ by nature (each took its own clock reading, equal within the same
    // millisecond): not compared. The others differ by choice.
    const differing = leafPaths(pair.pino)
      .filter((path) => path !== '@timestamp' && ourPaths.has(path) && JSON.stringify(valueAt(pair.pino, path)) !== JSON.stringify(valueAt(pair.ours, path)))
    assert.deepEqual(differing.sort(), ['ecs.version', 'event.dataset'])
    assert.equal(valueAt(pair.pino, 'event.dataset'), 'shop')
    assert.equal(valueAt(pair.ours, 'event.dataset'), 'shop.log')
  })

  it('writes no header unless listed, where ecs-pino-format writes them all', () => {
    const ourPaths = new Set(leafPaths(pair.ours))
    const onlyPino = leafPaths(pair.pino).filter((path) => !ourPaths.has(path))
    const [headers, others] = [onlyPino.filter((p) => /^http\.(request|response)\.headers\./.test(p)), onlyPino.filter((p) => !/^http\.(request|response)\.headers\./.test(p))]
    assert.ok(headers.includes('http.request.headers.user-agent'))
    assert.deepEqual(others.sort(), ['cart.items', 'orderId'])
  })

  it('adds the fields listed in docs/ecs.md, and puts user fields in labels and the extra prefix', () => {
    const pinoPaths = new Set(leafPaths(pair.pino))
    assert.deepEqual(leafPaths(pair.ours).filter((path) => !pinoPaths.has(path)).sort(), [
      'extra.cart.items', 'host.name', 'http.request.referrer', 'labels.orderId', 'process.executable', 'process.name',
      'process.thread.id', 'process.thread.name', 'process.title', 'url.domain', 'url.original', 'url.port', 'url.scheme'
    ])
  })

  it('orders and nests keys as the spec says, where ecs-pino-format writes log.level first and dotted keys', () => {
    assert.deepEqual(Object.keys(pair.pino).slice(0, 2), ['log.level', '@timestamp'])
    assert.ok(Object.hasOwn(pair.pino, 'ecs.version') && Object.hasOwn(pair.pino, 'user.id'))
    assert.throws(() => assertEcsLine(pair.pinoLine), /@timestamp must be key #0/)
    assert.deepEqual(Object.keys(pair.ours).slice(0, 4), ['@timestamp', 'log.level', 'message', 'ecs'])
    assert.deepEqual(pair.ours.user, { id: 'u-1' })
  })
})
