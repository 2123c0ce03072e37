import assert from 'node:assert/strict'
import { EcsFormatter, requestContext, type AccessInfo, type EcsFormatterOptions, type LogRecord, type RequestContext } from '@logstash-async/core'
import { assertEcsLine, valueAt } from '../../../../test/helpers/ecs-validate'

const TIME = Date.UTC(2024, 4, 6, 7, 8, 9, 10)

function fullContext (): RequestContext {
  return {
    id: 'req-42',
    method: 'POST',
    url: '/orders/42?expand=items&token=s3cret',
    path: '/orders/42',
    route: '/orders/:id',
    protocol: 'https',
    host: 'shop.example',
    port: 8443,
    ip: '203.0.113.7',
    remotePort: 51234,
    userAgent: 'curl/8.5.0',
    referer: 'https://shop.example/cart',
    httpVersion: '1.1',
    user: 'alice',
    statusCode: 201,
    headers: {
      host: 'shop.example:8443',
      accept: 'application/json',
      'content-length': '27',
      authorization: 'Bearer abc',
      'proxy-authorization': 'Basic xyz',
      cookie: 'sid=1',
      'x-api-key': 'k-123',
      'x-forwarded-for': ['198.51.100.1', '203.0.113.7']
    },
    responseHeaders: { 'content-type': 'application/json', 'set-cookie': ['sid=2'], 'x-api-key': 'k-456' }
  }
}

function format (options: EcsFormatterOptions, context: RequestContext | undefined, record: Partial<LogRecord> = {}): Record<string, unknown> {
  const formatter = new EcsFormatter({ apmIntegration: false, ...options })
  return assertEcsLine(formatter.format({ level: 'info', message: 'hello', time: TIME, ...record }, context))
}

describe('EcsFormatter request fields', () => {
  const mapped: { path: string, value: unknown }[] = [
    { path: 'http.request.id', value: 'req-42' },
    { path: 'http.request.method', value: 'POST' },
    { path: 'http.request.referrer', value: 'https://shop.example/cart' },
    { path: 'http.request.body.bytes', value: 27 },
    { path: 'http.response.status_code', value: 201 },
    { path: 'http.version', value: '1.1' },
    { path: 'url.original', value: '/orders/42?expand=items&token=s3cret' },
    { path: 'url.path', value: '/orders/42' },
    { path: 'url.query', value: 'expand=items&token=s3cret' },
    { path: 'url.domain', value: 'shop.example' },
    { path: 'url.port', value: 8443 },
    { path: 'url.scheme', value: 'https' },
    { path: 'url.full', value: 'https://shop.example:8443/orders/42?expand=items&token=s3cret' },
    { path: 'client.ip', value: '203.0.113.7' },
    { path: 'client.address', value: '203.0.113.7' },
    { path: 'client.port', value: 51234 },
    { path: 'user_agent.original', value: 'curl/8.5.0' },
    { path: 'user.name', value: 'alice' }
  ]
  for (const { path, value } of mapped) {
    it(`writes ${path} from the request context`, () => {
      assert.deepEqual(valueAt(format({}, fullContext()), path), value)
    })
    it(`writes no ${path} outside a request`, () => {
      assert.equal(valueAt(format({}, undefined), path), undefined)
    })
  }

  it('writes only what the adapter knows', () => {
    const event = format({}, { id: 'only-id' })
    assert.deepEqual(event.http, { request: { id: 'only-id' } })
    for (const key of ['url', 'client', 'user_agent', 'user']) assert.equal(event[key], undefined, key)
  })

  it('never writes client.domain: the Host header is url.domain', () => {
    assert.equal(valueAt(format({}, fullContext()), 'client.domain'), undefined)
  })

  it('leaves the default port out of url.full', () => {
    const event = format({}, { ...fullContext(), port: 443 })
    assert.equal(valueAt(event, 'url.full'), 'https://shop.example/orders/42?expand=items&token=s3cret')
  })

  it('brackets an IPv6 host in url.full', () => {
    const event = format({}, { id: 'x', url: '/', host: '::1', port: 3000, protocol: 'http' })
    assert.equal(valueAt(event, 'url.full'), 'http://[::1]:3000/')
  })

  it('reads the context active in requestContext when the handler passes it', () => {
    const formatter = new EcsFormatter({ apmIntegration: false })
    const line = requestContext.run({ id: 'from-store', method: 'GET' }, () => formatter.format({ level: 'info', message: 'x', time: TIME }, requestContext.get()))
    assert.equal(valueAt(assertEcsLine(line), 'http.request.id'), 'from-store')
  })

  it('places fields added with requestContext.assign() like record fields, the record winning', () => {
    const context: RequestContext = { id: 'r', fields: { tenant: 'acme', 'user.id': 'u-1', plan: 'free' } }
    const event = format({}, context, { fields: { plan: 'pro' } })
    assert.deepEqual(event.labels, { tenant: 'acme', plan: 'pro' })
    assert.equal(valueAt(event, 'user.id'), 'u-1')
  })

  describe('access events', () => {
    const access: AccessInfo = { durationMs: 12.3456789, statusCode: 503, responseBytes: 512, requestBytes: 27 }
    const cases: { path: string, value: unknown, info?: AccessInfo }[] = [
      { path: 'event.duration', value: 12_345_679 },
      { path: 'http.response.status_code', value: 503 },
      { path: 'http.response.body.bytes', value: 512 },
      { path: 'http.request.body.bytes', value: 27 },
      { path: 'event.kind', value: 'event' },
      { path: 'event.category', value: ['web'] },
      { path: 'event.type', value: ['access'] },
      { path: 'event.outcome', value: 'failure' },
      { path: 'event.outcome', value: 'success', info: { durationMs: 1, statusCode: 404 } },
      { path: 'event.outcome', value: 'unknown', info: { durationMs: 1, statusCode: 200, aborted: true } }
    ]
    for (const { path, value, info = access } of cases) {
      it(`writes ${path} = ${JSON.stringify(value)}${info === access ? '' : ` for ${JSON.stringify(info)}`}`, () => {
        assert.deepEqual(valueAt(format({ serviceName: 'shop' }, { id: 'r', method: 'GET' }, { access: info }), path), value)
      })
    }

    it('keeps event.dataset beside the access fields', () => {
      assert.equal(valueAt(format({ serviceName: 'shop' }, { id: 'r' }, { access }), 'event.dataset'), 'shop.log')
    })

    it('writes event.duration in whole nanoseconds', () => {
      assert.ok(Number.isInteger(valueAt(format({}, { id: 'r' }, { access: { durationMs: 0.0004 } }), 'event.duration')))
    })
  })

  describe('headers', () => {
    it('writes no headers by default', () => {
      const event = format({}, fullContext())
      assert.equal(valueAt(event, 'http.request.headers'), undefined)
      assert.equal(valueAt(event, 'http.response.headers'), undefined)
    })

    it('writes the listed request and response headers, in any case', () => {
      const event = format({ headers: ['Accept', 'content-type', 'x-forwarded-for', 'x-missing'] }, fullContext())
      assert.deepEqual(valueAt(event, 'http.request.headers'), { accept: 'application/json', 'x-forwarded-for': ['198.51.100.1', '203.0.113.7'] })
      assert.deepEqual(valueAt(event, 'http.response.headers'), { 'content-type': 'application/json' })
    })

    for (const name of ['authorization', 'proxy-authorization', 'cookie', 'set-cookie']) {
      it(`always writes ${name} as [REDACTED] when listed`, () => {
        const event = format({ headers: [name.toUpperCase()] }, fullContext())
        const where = name === 'set-cookie' ? 'http.response.headers' : 'http.request.headers'
        assert.deepEqual(valueAt(event, where), { [name]: '[REDACTED]' })
        assert.doesNotMatch(JSON.stringify(event), /abc|xyz|sid=/)
      })
    }

    it('redacts more headers named in redact, request and response alike', () => {
      const event = format({ headers: ['x-api-key', 'accept'], redact: ['X-Api-Key'] }, fullContext())
      assert.deepEqual(valueAt(event, 'http.request.headers'), { 'x-api-key': '[REDACTED]', accept: 'application/json' })
      assert.deepEqual(valueAt(event, 'http.response.headers'), { 'x-api-key': '[REDACTED]' })
    })
  })

  describe('redaction of fields', () => {
    const cases: { name: string, redact: string[], fields?: Record<string, unknown>, expect: Record<string, unknown> }[] = [
      { name: 'a top-level field, as a label', redact: ['password'], fields: { password: 'hunter2', user: 'x' }, expect: { 'labels.password': '[REDACTED]', 'labels.user': 'x' } },
      { name: 'a nested field', redact: ['card.number'], fields: { card: { number: '4111', brand: 'visa' } }, expect: { 'extra.card.number': '[REDACTED]', 'extra.card.brand': 'visa' } },
      { name: 'a dotted field', redact: ['card.number'], fields: { 'card.number': '4111' }, expect: { 'labels.card_number': '[REDACTED]' } },
      { name: 'a field in any object through *', redact: ['*.token'], fields: { a: { token: 't1' }, b: { token: 't2', keep: 1 } }, expect: { 'extra.a.token': '[REDACTED]', 'extra.b.token': '[REDACTED]', 'extra.b.keep': 1 } },
      { name: 'an ECS field from a record', redact: ['user.email'], fields: { 'user.email': 'a@b.c' }, expect: { 'user.email': '[REDACTED]' } },
      { name: 'an automatic field', redact: ['client.ip'], expect: { 'client.ip': '[REDACTED]', 'client.port': 51234 } },
      { name: 'the query, also inside url.original and url.full', redact: ['url.query'], expect: { 'url.query': '[REDACTED]', 'url.original': '/orders/42?[REDACTED]', 'url.full': 'https://shop.example:8443/orders/42?[REDACTED]' } }
    ]
    for (const { name, redact, fields, expect } of cases) {
      it(`redacts ${name}`, () => {
        const event = format({ redact }, fullContext(), fields === undefined ? {} : { fields })
        for (const [path, value] of Object.entries(expect)) assert.deepEqual(valueAt(event, path), value, path)
      })
    }

    it('redacts fields added with requestContext.assign()', () => {
      const event = format({ redact: ['apiKey'] }, { id: 'r', fields: { apiKey: 'k' } })
      assert.equal(valueAt(event, 'labels.apiKey'), '[REDACTED]')
    })

    it('redacts static extra fields', () => {
      assert.equal(valueAt(format({ redact: ['dbPassword'], extra: { dbPassword: 'p' } }, undefined), 'labels.dbPassword'), '[REDACTED]')
    })
  })
})
