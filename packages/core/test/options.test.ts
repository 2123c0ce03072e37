import assert from 'node:assert/strict'
import { ConfigurationError, DEFAULTS } from '@logstash-async/core'
import { normalizeOptions } from '@logstash-async/core/internal'

const NO_ENV = {}

describe('normalizeOptions', () => {
  it('applies every default', () => {
    const o = normalizeOptions({}, NO_ENV)
    assert.equal(o.host, 'localhost')
    assert.equal(o.port, 5959)
    assert.equal(o.transport, 'tcp')
    assert.equal(o.tls, undefined)
    assert.deepEqual(o.http, { path: '/', headers: {}, gzip: false, maxContentLength: 104857600 })
    assert.deepEqual(o.beats, { windowSize: 1000, compressionLevel: 6 })
    assert.equal(o.formatter, undefined)
    assert.equal(o.databasePath, undefined)
    assert.deepEqual(o.cache, { maxEvents: 100000, maxBytes: undefined })
    assert.equal(o.eventTtlMs, undefined)
    assert.equal(o.flushIntervalMs, 200)
    assert.equal(o.flushCount, 500)
    assert.equal(o.batchSize, 1000)
    assert.equal(o.timeoutMs, 5000)
    assert.deepEqual(o.retry, { initialDelayMs: 100, maxDelayMs: 30000 })
    assert.equal(o.closeTimeoutMs, 10000)
    assert.equal(o.errorRateLimit, 5)
    assert.equal(o.onError, undefined)
    assert.equal(o.level, 'trace')
    assert.equal(o.enabled, true)
    assert.equal(o.format, 'logstash')
    assert.ok(Object.isFrozen(o))
    assert.ok(Object.isFrozen(DEFAULTS))
  })

  it('picks the default port of each transport', () => {
    assert.equal(normalizeOptions({ transport: 'udp' }, NO_ENV).port, 5959)
    assert.equal(normalizeOptions({ transport: 'beats' }, NO_ENV).port, 5044)
    assert.equal(normalizeOptions({ transport: 'http' }, NO_ENV).port, 8080)
  })

  it('turns tls: true into verification on', () => {
    assert.deepEqual(normalizeOptions({ tls: true }, NO_ENV).tls, { rejectUnauthorized: true })
    assert.equal(normalizeOptions({ tls: { ca: 'pem' } }, NO_ENV).tls?.rejectUnauthorized, true)
  })

  const wrong: [string, Record<string, unknown>, RegExp][] = [
    ['port', { port: '80a' }, /^port must be an integer 1-65535, got "80a"$/],
    ['port range', { port: 70000 }, /^port must be an integer 1-65535, got 70000$/],
    ['host', { host: '' }, /^host must be a non-empty string, got ""$/],
    ['transport', { transport: 'smtp' }, /^transport must be one of 'tcp', 'udp', 'beats', 'http' or an object with send\(\) and close\(\), got "smtp"$/],
    ['formatter', { formatter: {} }, /^formatter must be an object with a format\(record, context\) method/],
    ['flushIntervalMs', { flushIntervalMs: -1 }, /^flushIntervalMs must be an integer/],
    ['flushCount', { flushCount: 0 }, /^flushCount must be an integer >= 1, got 0$/],
    ['batchSize', { batchSize: 1.5 }, /^batchSize must be an integer >= 1, got 1.5$/],
    ['retry', { retry: { initialDelayMs: 500, maxDelayMs: 100 } }, /^retry.maxDelayMs must be >= retry.initialDelayMs \(500\), got 100$/],
    ['cache.maxEvents', { cache: { maxEvents: 0 } }, /^cache.maxEvents must be an integer >= 1, got 0$/],
    ['tls.cert without key', { tls: { cert: 'x' } }, /^tls.key must be set together with tls.cert/],
    ['tls.ca type', { tls: { ca: 42 } }, /^tls.ca must be a PEM string, a Buffer or an array of them, got 42$/],
    ['http.path', { http: { path: 'logs' } }, /^http.path must be a path starting with "\/", got "logs"$/],
    ['beats.compressionLevel', { beats: { compressionLevel: 10 } }, /^beats.compressionLevel must be an integer 0-9, got 10$/],
    ['level', { level: 'verbose' }, /^level must be one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal', got "verbose"$/],
    ['onError', { onError: 'log' }, /^onError must be a function, got "log"$/],
    ['enabled', { enabled: 'yes' }, /^enabled must be true or false, got "yes"$/]
  ]
  for (const [name, input, message] of wrong) {
    it(`names the option, what was expected and what arrived: ${name}`, () => {
      assert.throws(() => normalizeOptions(input as never, NO_ENV), (err: unknown) => {
        assert.ok(err instanceof ConfigurationError)
        assert.match(err.message, message)
        return true
      })
    })
  }

  it('warns about an unknown option with the closest known name', () => {
    const warnings: string[] = []
    const original = process.emitWarning
    process.emitWarning = ((message: string) => { warnings.push(message) }) as typeof process.emitWarning
    try {
      normalizeOptions({ flushInterval: 5 } as never, NO_ENV)
    } finally {
      process.emitWarning = original
    }
    assert.deepEqual(warnings, ["LogstashHandler: unknown option 'flushInterval' (did you mean 'flushIntervalMs'?)"])
  })

  describe('environment variables', () => {
    it('fill the options the code did not set', () => {
      const o = normalizeOptions({}, {
        LOGSTASH_HOST: 'logs.internal',
        LOGSTASH_PORT: '6000',
        LOGSTASH_TRANSPORT: 'udp',
        LOGSTASH_LEVEL: 'warn',
        LOGSTASH_ENABLED: '0',
        LOGSTASH_FORMAT: 'ecs',
        LOGSTASH_SERVICE_NAME: 'shop'
      })
      assert.equal(o.host, 'logs.internal')
      assert.equal(o.port, 6000)
      assert.equal(o.transport, 'udp')
      assert.equal(o.level, 'warn')
      assert.equal(o.enabled, false)
      assert.equal(o.format, 'ecs')
      assert.equal(o.serviceName, 'shop')
    })

    it('never override what the code set', () => {
      const o = normalizeOptions({ host: 'code', port: 1234, level: 'error' }, { LOGSTASH_HOST: 'env', LOGSTASH_PORT: '6000', LOGSTASH_LEVEL: 'debug' })
      assert.equal(o.host, 'code')
      assert.equal(o.port, 1234)
      assert.equal(o.level, 'error')
    })

    it('turn on TLS with LOGSTASH_TLS=1', () => {
      assert.deepEqual(normalizeOptions({}, { LOGSTASH_TLS: '1' }).tls, { rejectUnauthorized: true })
    })

    const bad: [Record<string, string>, RegExp][] = [
      [{ LOGSTASH_PORT: 'http' }, /^environment variable LOGSTASH_PORT must be an integer 1-65535, got "http"$/],
      [{ LOGSTASH_TRANSPORT: 'smtp' }, /^environment variable LOGSTASH_TRANSPORT must be one of/],
      [{ LOGSTASH_TLS: 'maybe' }, /^environment variable LOGSTASH_TLS must be 1 or 0, got "maybe"$/],
      [{ LOGSTASH_TLS_CA: '/nonexistent/ca.pem' }, /^environment variable LOGSTASH_TLS_CA must name a readable PEM file, got "\/nonexistent\/ca.pem"/],
      [{ LOGSTASH_LEVEL: 'loud' }, /^environment variable LOGSTASH_LEVEL must be one of/],
      [{ LOGSTASH_FORMAT: 'xml' }, /^environment variable LOGSTASH_FORMAT must be 'logstash' or 'ecs', got "xml"$/],
      [{ LOGSTASH_ENABLED: 'off' }, /^environment variable LOGSTASH_ENABLED must be 1 or 0, got "off"$/]
    ]
    for (const [env, message] of bad) {
      it(`name the variable when wrong: ${Object.keys(env)[0] ?? ''}`, () => {
        assert.throws(() => normalizeOptions({}, env), { name: 'ConfigurationError', message })
      })
    }
  })
})
