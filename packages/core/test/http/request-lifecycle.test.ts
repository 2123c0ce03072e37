import assert from 'node:assert/strict'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLogger, EcsFormatter, LogstashFormatter, requestContext, type Formatter, type Level, type LogRecord } from '@logstash-async/core'
import { RequestLifecycle, RequestTracker, type RequestTrackerOptions } from '@logstash-async/core/adapter'
import { RecordingSink } from '../../../../test/helpers/recording-sink'
import { waitFor } from '../../../../test/helpers/wait'

type Route = (req: IncomingMessage, res: ServerResponse, lifecycle: RequestLifecycle) => void

/** A plain `http` server whose every request is begun by a tracker with `options`, then served by `route`. */
async function serve (sink: RecordingSink, route: Route, options: Partial<RequestTrackerOptions> = {}): Promise<{ server: Server, url: string }> {
  const tracker = new RequestTracker({ sink, loggerName: 'http', ...options })
  const server = createServer((req, res) => {
    const lifecycle = tracker.begin(req, res) as RequestLifecycle
    lifecycle.run(() => route(req, res, lifecycle))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

async function send (url: string, { method = 'GET', headers = {} }: { method?: string, headers?: Record<string, string> } = {}): Promise<IncomingMessage> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res)) })
    req.on('error', reject)
    req.end()
  })
}

describe('RequestTracker and RequestLifecycle on a plain http server', () => {
  let server: Server | undefined
  let sink: RecordingSink

  beforeEach(() => { sink = new RecordingSink() })
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise<void>((resolve) => server === undefined ? resolve() : server.close(() => resolve()))
    server = undefined
  })

  it('reads the headers a response handed to writeHead() as a flat array', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => { res.writeHead(201, ['X-Answer', '42', 'Content-Type', 'text/plain']).end('made') }))
    await send(url, { headers: { 'x-request-id': 'array-1' } })
    const access = await sink.accessOf('array-1')
    assert.equal(access.status_code, 201)
    assert.deepEqual(access.resp_headers, { 'x-answer': '42', 'content-type': 'text/plain' })
    assert.equal(access.response_bytes, 4)
  })

  it('merges the headers set with setHeader() and those given to writeHead()', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => {
      res.setHeader('content-type', 'text/plain')
      res.writeHead(200, { 'X-Answer': '42' }).end('ok')
    }))
    await send(url, { headers: { 'x-request-id': 'merge-1' } })
    assert.deepEqual((await sink.accessOf('merge-1')).resp_headers, { 'x-answer': '42', 'content-type': 'text/plain' })
  })

  it('counts no body bytes for a HEAD request, whatever the application wrote', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => { res.end('a body Node does not send') }))
    await send(url, { method: 'HEAD', headers: { 'x-request-id': 'head-1' } })
    assert.equal((await sink.accessOf('head-1')).response_bytes, 0)
  })

  it('counts strings by their bytes in the encoding they were written in', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => {
      res.write('é')
      res.write('ffff', 'hex')
      res.end(new Uint8Array(3))
    }))
    await send(url, { headers: { 'x-request-id': 'enc-1' } })
    assert.equal((await sink.accessOf('enc-1')).response_bytes, 2 + 2 + 3)
  })

  it('counts what a wrapper mounted after the adapter (compression) hands on, not what the route wrote', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => {
      // What compression does: it keeps the response's write and end, and passes on other bytes.
      const write = res.write.bind(res)
      const end = res.end.bind(res)
      res.write = ((chunk: string) => write(chunk.slice(0, 1))) as typeof res.write
      res.end = ((chunk?: string) => end(chunk?.slice(0, 1))) as typeof res.end
      res.write('abcdef')
      res.end('ghijkl')
    }))
    await send(url, { headers: { 'x-request-id': 'wrapped-1' } })
    assert.equal((await sink.accessOf('wrapped-1')).response_bytes, 2)
  })

  it('echoes the request id when told to, and makes one with generateRequestId', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => { res.end() }, { echoRequestId: true, generateRequestId: () => 'made-1' }))
    const response = await send(url)
    assert.equal(response.headers['x-request-id'], 'made-1')
    await sink.accessOf('made-1')
  })

  it('makes a UUID when generateRequestId throws', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => { res.end() }, { echoRequestId: true, generateRequestId: () => { throw new Error('no ids today') } }))
    const response = await send(url)
    assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/)
  })

  it('asks the user resolver at each event; a user assigned to the context wins', async () => {
    let url: string
    const log = createLogger({ handler: sink })
    ;({ server, url } = await serve(sink, (req, res, lifecycle) => {
      log.info('before login')
      ;(req as { login?: string }).login = 'alice'
      log.info('after login')
      lifecycle.context.user = 'bob'
      log.info('assigned')
      res.end()
    }, { user: (req: IncomingMessage) => (req as { login?: string }).login }))
    await send(url, { headers: { 'x-request-id': 'user-1' } })
    await sink.accessOf('user-1')
    assert.deepEqual(sink.of('user-1').map((e) => e.req_user), [undefined, 'alice', 'bob', 'bob'])
  })

  it('logs an error recorded after the end at once, with the status the request ended with', async () => {
    let url: string
    let ended!: RequestLifecycle
    ;({ server, url } = await serve(sink, (_req, res, lifecycle) => { ended = lifecycle; res.statusCode = 202; res.end() }))
    await send(url, { headers: { 'x-request-id': 'after-end-1' } })
    await sink.accessOf('after-end-1')
    assert.equal(ended.ended, true)
    ended.recordError(new TypeError('late failure'))
    ended.recordError(new TypeError('a second one'))
    const errors = sink.of('after-end-1').filter((e) => e.error_type !== undefined)
    assert.deepEqual(errors.map((e) => [e.message, e.status_code, e.level]), [['late failure', 202, 'ERROR']])
  })

  it('logs no error event with logErrors: false, and the access event still', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res, lifecycle) => { lifecycle.recordError(new Error('hidden')); res.statusCode = 500; res.end() }, { logErrors: false }))
    await send(url, { headers: { 'x-request-id': 'quiet-1' } })
    await sink.accessOf('quiet-1')
    assert.deepEqual(sink.of('quiet-1').map((e) => e.message.replace(/ [\d.]+ms$/, '')), ['GET / 500'])
  })

  it('logs the access event when skip() throws', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res) => { res.end() }, { skip: () => { throw new Error('broken skip') } }))
    await send(url, { headers: { 'x-request-id': 'skip-throws-1' } })
    await sink.accessOf('skip-throws-1')
  })

  it('keeps the first lifecycle of a request begun twice, and finds it by request and by context', async () => {
    const second = new RequestTracker({ sink, loggerName: 'second' })
    let url: string
    const seen: unknown[] = []
    ;({ server, url } = await serve(sink, (req, res, lifecycle) => {
      seen.push(second.begin(req, res) === lifecycle, RequestLifecycle.of(req) === lifecycle, RequestLifecycle.current() === lifecycle)
      res.end()
    }))
    await send(url, { headers: { 'x-request-id': 'twice-1' } })
    await sink.accessOf('twice-1')
    assert.deepEqual(seen, [true, true, true])
    assert.equal(sink.access('twice-1').length, 1)
  })

  it('gives the request\'s logger the request fields in a callback that lost the context', async () => {
    let url: string
    ;({ server, url } = await serve(sink, (_req, res, lifecycle) => {
      requestContext.run({ id: 'someone-else' }, () => lifecycle.logger.info('from elsewhere'))
      res.end()
    }))
    await send(url, { headers: { 'x-request-id': 'bound-1' } })
    await waitFor(() => sink.of('bound-1').some((e) => e.message === 'from elsewhere'))
    assert.equal(sink.of('bound-1').find((e) => e.message === 'from elsewhere')?.logger_name, 'http')
  })

  it('writes the events of 200 concurrent requests with their own request fields, kept or made afresh alike, as routes, users, fields and statuses change', async () => {
    // Each record formatted by each formatter as it is (a request's fields kept on its context)
    // and by the same formatter with a `redact` path that matches nothing (made afresh).
    const pairs: Array<[Formatter, Formatter]> = [
      [new LogstashFormatter(), new LogstashFormatter({ redact: ['no_such_field'] })],
      [new EcsFormatter(), new EcsFormatter({ redact: ['no_such_field'] })]
    ]
    const events: Array<Record<string, unknown>> = []
    const differences: string[] = []
    const comparing = {
      log (record: LogRecord): void {
        const context = requestContext.get()
        for (const [kept, fresh] of pairs) {
          const written = kept.format(record, context)
          const expected = fresh.format(record, context)
          if (written !== expected) differences.push(`${written}\nexpected ${expected}`)
        }
        events.push(JSON.parse((pairs[0] as [Formatter, Formatter])[0].format(record, context)).extra)
      },
      isLevelEnabled: (_level: Level) => true,
      flush: async () => true,
      close: async () => {}
    }
    const log = createLogger({ handler: comparing })
    const turn = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }
    let url: string
    ;({ server, url } = await serve(sink, async (req, res, lifecycle) => {
      const n = Number(req.url?.slice(1))
      // One change between two events: each must be seen on its own.
      log.info('start', { step: 1 })
      await turn()
      lifecycle.context.route = '/:n'
      log.info('routed', { step: 2 })
      await turn()
      ;(req as IncomingMessage & { account?: string }).account = `user-${n}`
      log.info('authenticated', { step: 3 })
      await turn()
      requestContext.assign({ n })
      log.info('assigned', { step: 4 })
      await turn()
      res.writeHead(n % 2 === 0 ? 200 : 404)
      res.write('o')
      log.info('sent', { step: 5 })
      await turn()
      res.end('k')
    }, { sink: comparing, user: (req: IncomingMessage) => (req as IncomingMessage & { account?: string }).account }))
    await Promise.all(Array.from({ length: 200 }, (_, n) => send(`${url}/${n}`, { headers: { 'x-request-id': `many-${n}` } })))
    await waitFor(() => events.filter((e) => e.duration_ms !== undefined).length === 200, { message: () => `200 access events, got ${events.length} events` })
    assert.deepEqual(differences.slice(0, 3), [])
    for (let n = 0; n < 200; n++) {
      const mine = events.filter((e) => e.request_id === `many-${n}`)
      const uri = `${url}/${n}`
      const status = n % 2 === 0 ? 200 : 404
      assert.deepEqual(mine.map((e) => [e.step, e.req_uri, e.req_route, e.req_user, e.n, e.status_code]), [
        [1, uri, undefined, undefined, undefined, undefined],
        [2, uri, '/:n', undefined, undefined, undefined],
        [3, uri, '/:n', `user-${n}`, undefined, undefined],
        [4, uri, '/:n', `user-${n}`, n, undefined],
        [5, uri, '/:n', `user-${n}`, n, status],
        [undefined, uri, '/:n', `user-${n}`, n, status]
      ], `request ${n}`)
    }
  })

  it('throws a ConfigurationError at construction for a sink without log()', () => {
    assert.throws(() => new RequestTracker({ sink: {} as never, loggerName: 'http' }), /sink must be an object with a log\(record\) method/)
  })
})
