import assert from 'node:assert/strict'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { createPrinter } = coreInternal<typeof import('../../src/cli/printer')>('cli/printer.js')

const EVENT = {
  '@timestamp': '2025-03-01T10:42:01.123Z',
  '@version': '1',
  host: 'web-1',
  level: 'WARNING',
  logsource: 'web-1',
  message: 'GET /orders/42 404 3.1ms',
  pid: 42,
  program: '/app/server.js',
  type: 'nodejs-logstash',
  extra: {
    logger_name: 'express',
    logstash_async_version: '0.1.0',
    interpreter: '/usr/bin/node',
    interpreter_version: 'v24.0.0',
    process_name: 'node',
    thread_name: 'main',
    request_id: 'abc',
    req_uri: 'http://localhost:3000/orders/42',
    req_forwarded_for: ['10.0.0.1'],
    note: 'two words',
    status_code: 404
  }
}

describe('logstash-async listen: the printer', () => {
  it('prints each event as one JSON line by default', () => {
    const print = createPrinter({ pretty: false, color: true })
    const text = print(EVENT, 'tcp')
    assert.equal(text, JSON.stringify(EVENT) + '\n')
  })

  it('prints a pretty header with time, level, input and message, then the fields that matter', () => {
    const print = createPrinter({ pretty: true, color: false })
    assert.equal(print(EVENT, 'beats'),
      '10:42:01.123 WARNING  [beats] GET /orders/42 404 3.1ms\n' +
      '    logger_name=express request_id=abc req_uri=http://localhost:3000/orders/42 req_forwarded_for=["10.0.0.1"] note="two words" status_code=404\n')
  })

  it('prints the stack trace of an error indented under the event', () => {
    const print = createPrinter({ pretty: true, color: false })
    const text = print({ level: 'ERROR', message: 'boom', extra: { stack_trace: 'Error: boom\n    at f (x.js:1:1)' } }, 'tcp')
    assert.match(text, /\n {4}Error: boom\n {8}at f \(x\.js:1:1\)\n$/)
  })

  it('prints ECS events with log.level and dotted names', () => {
    const print = createPrinter({ pretty: true, color: false })
    const text = print({ '@timestamp': '2025-03-01T10:42:01.123Z', 'log.level': 'info', message: 'hi', ecs: { version: '8.11.0' }, http: { request: { method: 'GET' } }, process: { pid: 1 } }, 'http')
    assert.equal(text, '10:42:01.123 INFO     [http] hi\n    http.request.method=GET\n')
  })

  it('colours the level only when asked', () => {
    assert.ok(createPrinter({ pretty: true, color: true })(EVENT, 'tcp').includes('\u001b[33mWARNING'))
    assert.ok(!createPrinter({ pretty: true, color: false })(EVENT, 'tcp').includes('\u001b['))
  })
})
