import assert from 'node:assert/strict'
import {
  ConfigurationError, DroppedEventsError, HttpTransport, LogstashHandler, TransportError, type LogstashError, type SendOutcome
} from '@logstash-async/core'
import { normalizeOptions } from '@logstash-async/core/internal'
import { HttpReceiver } from '../../../../test/helpers/http-receiver'
import { testPki } from '../../../../test/helpers/certs'
import { waitFor } from '../../../../test/helpers/wait'
import { httpOptions } from '../../../../test/helpers/resolved-options'

const events = (n: number, prefix = 'event'): string[] =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ message: `${prefix} ${i}`, i }))

describe('HttpTransport', () => {
  let receiver: HttpReceiver | undefined
  let transport: HttpTransport | undefined
  let handler: LogstashHandler | undefined

  afterEach(async () => {
    await handler?.close()
    await transport?.close()
    await receiver?.close()
    handler = transport = receiver = undefined
  })

  type Options = ConstructorParameters<typeof HttpTransport>[0]
  async function start (options: Partial<Options> = {}, receiverOptions: Parameters<typeof HttpReceiver.start>[0] = {}): Promise<{ receiver: HttpReceiver, transport: HttpTransport }> {
    receiver = await HttpReceiver.start(receiverOptions)
    transport = new HttpTransport(httpOptions({ host: receiver.host, port: receiver.port, timeoutMs: 2000, ...options }))
    return { receiver, transport }
  }

  it('posts the batch as one JSON array, with content-type application/json', async () => {
    const { receiver, transport } = await start()
    const sent = [...events(3), JSON.stringify({ message: 'é 日本 🎉' })]
    await transport.send(sent)
    assert.equal(receiver.requests.length, 1)
    const [request] = receiver.requests
    assert.equal(request?.method, 'POST')
    assert.equal(request?.url, '/')
    assert.equal(request?.headers['content-type'], 'application/json')
    assert.equal(request?.body, '[' + sent.join(',') + ']')
    assert.deepEqual(receiver.events, sent.map((e) => JSON.parse(e)))
  })

  it('posts to http.path', async () => {
    const { receiver, transport } = await start({ path: '/logs/app?source=node' })
    await transport.send(events(1))
    assert.equal(receiver.requests[0]?.url, '/logs/app?source=node')
  })

  it('reuses one keep-alive connection for successive sends', async () => {
    const { receiver, transport } = await start()
    for (let i = 0; i < 3; i++) await transport.send(events(2, `send ${i}`))
    assert.equal(receiver.connections, 1)
    assert.equal(receiver.payloads.length, 6)
  })

  it('sends basic auth credentials the server accepts', async () => {
    const { receiver, transport } = await start({ username: 'beat', password: 'pä:ss' }, { auth: { username: 'beat', password: 'pä:ss' } })
    await transport.send(events(2))
    assert.equal(receiver.payloads.length, 2)
  })

  it('refuses the batch for good when the server rejects the credentials, with the status and the start of the body', async () => {
    const { receiver, transport } = await start({ username: 'beat', password: 'wrong' }, { auth: { username: 'beat', password: 'right' } })
    await assert.rejects(transport.send(events(2)), (err: TransportError) => {
      assert.ok(err instanceof TransportError)
      assert.equal(err.retryable, false)
      assert.equal(err.code, 'LOGSTASH_HTTP_401')
      assert.match(err.message, /HTTP 401: Unauthorized: bad credentials/)
      return true
    })
    assert.equal(receiver.payloads.length, 0)
  })

  it('sends the extra headers of http.headers', async () => {
    const { receiver, transport } = await start({ headers: { 'X-Api-Key': 'secret', 'X-Tenant': 'a' } })
    await transport.send(events(1))
    assert.equal(receiver.requests[0]?.headers['x-api-key'], 'secret')
    assert.equal(receiver.requests[0]?.headers['x-tenant'], 'a')
  })

  it('refuses an invalid header with the options', () => {
    assert.throws(() => normalizeOptions({ transport: 'http', http: { headers: { 'X-Bad': 'line\nbreak' } } }, {}), ConfigurationError)
  })

  it('gzips the body when http.gzip is set', async () => {
    const { receiver, transport } = await start({ gzip: true })
    const sent = events(50)
    await transport.send(sent)
    const [request] = receiver.requests
    assert.equal(request?.headers['content-encoding'], 'gzip')
    assert.ok((request?.rawLength ?? Infinity) < (request?.body.length ?? 0))
    assert.deepEqual(receiver.events, sent.map((e) => JSON.parse(e)))
  })

  it('splits a batch into requests no larger than http.maxContentLength, in order', async () => {
    const sent = events(20)
    const maxContentLength = 3 * Buffer.byteLength(sent[0] as string) + 10
    const { receiver, transport } = await start({ maxContentLength })
    await transport.send(sent)
    assert.ok(receiver.requests.length >= 6)
    for (const request of receiver.requests) assert.ok(Buffer.byteLength(request.body) <= maxContentLength, `${request.body.length} > ${maxContentLength}`)
    assert.deepEqual(receiver.events, sent.map((e) => JSON.parse(e)))
  })

  it('splits a batch in halves on 413 until each part fits', async () => {
    const sent = events(16)
    const { receiver, transport } = await start({}, { maxContentLength: 5 * Buffer.byteLength(sent[0] as string) })
    const outcome = await transport.send(sent)
    assert.equal(outcome, undefined)
    assert.deepEqual(receiver.requests.map((r) => r.status).filter((s) => s === 413).length, 3)
    assert.deepEqual(receiver.events, sent.map((e) => JSON.parse(e)))
  })

  it('drops and reports a single event still too large after splitting', async () => {
    const huge = JSON.stringify({ message: 'x'.repeat(10_000) })
    const sent = [...events(3, 'a'), huge, ...events(3, 'b')]
    const { receiver, transport } = await start({}, { maxContentLength: 1000 })
    const outcome = await transport.send(sent) as SendOutcome
    assert.equal(outcome.dropped, 1)
    assert.ok(outcome.error instanceof DroppedEventsError)
    assert.equal(outcome.error.code, 'LOGSTASH_TOO_LARGE')
    assert.match(outcome.error.message, /HTTP 413/)
    assert.deepEqual(receiver.payloads, [...events(3, 'a'), ...events(3, 'b')])
  })

  for (const status of [408, 429, 500, 502, 503, 504]) {
    it(`rejects with a retryable error on HTTP ${status}`, async () => {
      const { receiver, transport } = await start()
      receiver.plan({ status, body: 'try later' })
      await assert.rejects(transport.send(events(1)), { retryable: true, code: `LOGSTASH_HTTP_${status}` })
    })
  }

  for (const status of [400, 403, 404, 422]) {
    it(`refuses the batch for good on HTTP ${status}`, async () => {
      const { receiver, transport } = await start()
      receiver.plan({ status, body: 'no such thing' })
      await assert.rejects(transport.send(events(1)), { retryable: false, code: `LOGSTASH_HTTP_${status}` })
    })
  }

  it('rejects with a retryable timeout when the server never answers', async () => {
    const { receiver, transport } = await start({ timeoutMs: 200 })
    receiver.plan('hang')
    await assert.rejects(transport.send(events(1)), { retryable: true, code: 'LOGSTASH_TIMEOUT' })
  })

  it('rejects with a retryable error while the server refuses connections', async () => {
    const { receiver, transport } = await start()
    await receiver.kill()
    await assert.rejects(transport.send(events(1)), (err: TransportError) => {
      assert.equal(err.retryable, true)
      assert.match(err.message, /ECONNREFUSED/)
      return true
    })
  })

  it('sends a request once more on a fresh connection when a kept-alive connection was closed under it', async () => {
    const { receiver, transport } = await start()
    await transport.send(events(1, 'first'))
    receiver.plan('destroy')
    await transport.send(events(1, 'second'))
    assert.equal(receiver.connections, 2)
    assert.deepEqual(receiver.payloads, [...events(1, 'first'), ...events(1, 'second')])
  })

  it('counts the requests of a batch the server accepted before a later one failed as settled', async () => {
    const sent = events(9)
    const { receiver, transport } = await start({ maxContentLength: 3 * Buffer.byteLength(sent[0] as string) + 10 })
    receiver.plan({ status: 200 }, { status: 503 })
    await assert.rejects(transport.send(sent), (err: TransportError) => err.retryable && err.settled?.count === 3)
    await transport.send(sent.slice(3))
    assert.deepEqual(receiver.payloads, sent)
  })

  it('delivers what went before a refusal and drops only the rest', async () => {
    const sent = events(9)
    const { receiver, transport } = await start({ maxContentLength: 3 * Buffer.byteLength(sent[0] as string) + 10 })
    receiver.plan({ status: 200 }, { status: 400, body: 'bad' })
    const outcome = await transport.send(sent) as SendOutcome
    assert.equal(outcome.dropped, 6)
    assert.equal(outcome.error?.code, 'LOGSTASH_REFUSED')
    assert.deepEqual(receiver.payloads, sent.slice(0, 3))
  })

  it('rejects a send waiting for its response when closed', async () => {
    const { receiver, transport } = await start({ timeoutMs: 10_000 })
    receiver.plan('hang')
    const sending = transport.send(events(1))
    await waitFor(() => receiver.requests.length === 1)
    await transport.close()
    await assert.rejects(sending, { code: 'LOGSTASH_CLOSED', retryable: true })
    await assert.rejects(transport.send(events(1)), { code: 'LOGSTASH_CLOSED' })
  })

  describe('through LogstashHandler', () => {
    const quick = { transport: 'http' as const, host: '127.0.0.1', timeoutMs: 500, flushIntervalMs: 10, retry: { initialDelayMs: 10, maxDelayMs: 50 } }

    it('retries 429 and 503 until a 200, delivering each event once', async () => {
      receiver = await HttpReceiver.start()
      receiver.plan({ status: 429 }, { status: 503 })
      const errors: LogstashError[] = []
      handler = new LogstashHandler({ ...quick, port: receiver.port, onError: (err) => errors.push(err) })
      for (let i = 0; i < 10; i++) handler.log({ level: 'info', message: `message ${i}` })
      assert.equal(await handler.flush(), true)
      assert.deepEqual(receiver.requests.map((r) => r.status), [429, 503, 200])
      assert.deepEqual(receiver.events.map((e) => e.message), Array.from({ length: 10 }, (_, i) => `message ${i}`))
      assert.equal(handler.stats().sent, 10)
      assert.equal(handler.stats().failedSends, 2)
      await waitFor(() => errors.length === 2)
      assert.deepEqual(errors.map((e) => e.code), ['LOGSTASH_HTTP_429', 'LOGSTASH_HTTP_503'])
    })

    it('reports and drops a batch refused with 400', async () => {
      receiver = await HttpReceiver.start()
      receiver.plan({ status: 400, body: 'failed to parse JSON' })
      const errors: LogstashError[] = []
      handler = new LogstashHandler({ ...quick, port: receiver.port, onError: (err) => errors.push(err) })
      for (let i = 0; i < 4; i++) handler.log({ level: 'info', message: `message ${i}` })
      assert.equal(await handler.flush(), true)
      assert.equal(handler.stats().dropped, 4)
      assert.equal(handler.stats().sent, 0)
      await waitFor(() => errors.length === 1)
      assert.equal(errors[0]?.code, 'LOGSTASH_REFUSED')
      assert.match(errors[0]?.message ?? '', /HTTP 400: failed to parse JSON/)
    })

    it('delivers every event once across an outage: receiver down, then up', async () => {
      receiver = await HttpReceiver.start()
      const port = receiver.port
      await receiver.kill()
      handler = new LogstashHandler({ ...quick, port, onError: () => {} })
      for (let i = 0; i < 50; i++) handler.log({ level: 'info', message: `message ${i}` })
      await waitFor(() => handler!.stats().failedSends >= 2)
      await receiver.listen(port)
      assert.equal(await handler.flush(), true)
      assert.deepEqual(receiver.events.map((e) => e.message), Array.from({ length: 50 }, (_, i) => `message ${i}`))
    })

    it('uses port 8080 by default', () => {
      handler = new LogstashHandler({ transport: 'http' })
      assert.equal(handler.options.port, 8080)
    })
  })

  describe('over TLS', () => {
    it('delivers over https to a server whose certificate the given CA signed', async () => {
      const certs = testPki()
      const { receiver, transport } = await start({ tls: { ca: certs.ca, rejectUnauthorized: true } }, { tls: { key: certs.server.key, cert: certs.server.cert } })
      await transport.send(events(2))
      assert.equal(receiver.payloads.length, 2)
    })

    it('refuses a server whose certificate does not verify', async () => {
      const certs = testPki()
      const { receiver, transport } = await start({ tls: { ca: certs.otherCa, rejectUnauthorized: true } }, { tls: { key: certs.server.key, cert: certs.server.cert } })
      await assert.rejects(transport.send(events(1)), (err: TransportError) => {
        assert.equal(err.retryable, true)
        assert.match(err.message, /certificate/)
        return true
      })
      assert.equal(receiver.requests.length, 0)
    })

    it('presents a client certificate for mutual TLS', async () => {
      const certs = testPki()
      const { receiver, transport } = await start(
        { tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key, rejectUnauthorized: true } },
        { tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca, requestCert: true, rejectUnauthorized: true } })
      await transport.send(events(1))
      assert.equal(receiver.payloads.length, 1)
    })
  })
})
