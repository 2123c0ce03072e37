import assert from 'node:assert/strict'
import { ConfigurationError, LogstashFormatter, type LogRecord, type LogstashFormatterOptions, type RequestContext } from '@logstash-async/core'

const context: RequestContext = {
  id: 'req-1',
  method: 'GET',
  url: '/a?b=1',
  host: 'shop.example',
  ip: '203.0.113.7',
  headers: { accept: 'text/html', authorization: 'Bearer abc', cookie: 'sid=1', 'x-api-key': 'k1' },
  responseHeaders: { 'content-type': 'text/html', 'set-cookie': ['sid=2'] }
}

function format (options: LogstashFormatterOptions, record: Partial<LogRecord> = {}, ctx: RequestContext | undefined = context): Record<string, unknown> {
  const line = new LogstashFormatter(options).format({ level: 'info', message: 'm', time: 0, ...record }, ctx)
  return (JSON.parse(line) as { extra: Record<string, unknown> }).extra
}

describe('LogstashFormatter headers and redaction', () => {
  it('writes no headers by default', () => {
    const extra = format({})
    assert.equal(extra.req_headers, undefined)
    assert.equal(extra.resp_headers, undefined)
  })

  it('writes the listed headers as req_headers and resp_headers', () => {
    const extra = format({ headers: ['Accept', 'content-type'] })
    assert.deepEqual(extra.req_headers, { accept: 'text/html' })
    assert.deepEqual(extra.resp_headers, { 'content-type': 'text/html' })
  })

  it('always redacts authorization, cookie and set-cookie', () => {
    const extra = format({ headers: ['authorization', 'cookie', 'set-cookie'] })
    assert.deepEqual(extra.req_headers, { authorization: '[REDACTED]', cookie: '[REDACTED]' })
    assert.deepEqual(extra.resp_headers, { 'set-cookie': '[REDACTED]' })
  })

  it('redacts more headers named in redact', () => {
    assert.deepEqual(format({ headers: ['x-api-key'], redact: ['X-API-KEY'] }).req_headers, { 'x-api-key': '[REDACTED]' })
  })

  const fieldCases: { name: string, redact: string[], record?: Partial<LogRecord>, ctx?: RequestContext, expect: Record<string, unknown> }[] = [
    { name: 'a record field', redact: ['password'], record: { fields: { password: 'p', user: 'u' } }, expect: { password: '[REDACTED]', user: 'u' } },
    { name: 'a nested record field', redact: ['card.number'], record: { fields: { card: { number: '4111', brand: 'visa' } } }, expect: { card: { number: '[REDACTED]', brand: 'visa' } } },
    { name: 'a request field', redact: ['req_remote_address'], expect: { req_remote_address: '[REDACTED]', req_host: 'shop.example' } },
    { name: 'a field from requestContext.assign()', redact: ['token'], ctx: { id: 'r', fields: { token: 't' } }, expect: { token: '[REDACTED]' } }
  ]
  for (const { name, redact, record = {}, ctx = context, expect } of fieldCases) {
    it(`redacts ${name}`, () => {
      const extra = format({ redact }, record, ctx)
      for (const [key, value] of Object.entries(expect)) assert.deepEqual(extra[key], value, key)
    })
  }

  it('does not change the record fields it redacts', () => {
    const fields = { card: { number: '4111' } }
    format({ redact: ['card.number'] }, { fields })
    assert.deepEqual(fields, { card: { number: '4111' } })
  })

  it('rejects a headers option that is not an array of strings', () => {
    assert.throws(() => new LogstashFormatter({ headers: 'accept' as never }), (err: unknown) => err instanceof ConfigurationError && /headers must be an array of strings, got "accept"/.test(err.message))
  })
})
