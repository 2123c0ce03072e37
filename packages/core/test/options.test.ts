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
    assert.deepEqual(o.beats, { windowSize: 1000, compressionLevel: 3 })
    assert.equal(o.formatter, undefined)
    assert.equal(o.databasePath, undefined)
    assert.deepEqual(o.cache, { maxEvents: 100000, maxBytes: undefined })
    assert.equal(o.eventTtlMs, undefined)
    assert.equal(o.flushIntervalMs, 200)
    assert.equal(o.flushCount, 500)
    assert.equal(o.batchSize, 1000)
    assert.equal(o.timeoutMs, 5000)
    assert.deepEqual(o.retry, { initialDelayMs: 100, maxDelayMs: 30000, maxReconnectDelayMs: 2000 })
    assert.deepEqual(o.hosts, [{ host: 'localhost', port: 5959 }])
    assert.equal(o.loadBalance, false)
    assert.equal(o.workers, 1)
    assert.equal(o.pipelining, 2)
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

  describe('hosts', () => {
    it('reads host:port, [ipv6]:port, a bare IPv6 address and { host, port }, the transport\'s port where none is named', () => {
      const o = normalizeOptions({ transport: 'beats', hosts: ['ls1:5045', 'ls2', '[::1]:6000', '::1', '10.0.0.5:7000', { host: 'ls3' }, { host: 'ls4', port: 7001 }] }, NO_ENV)
      assert.deepEqual(o.hosts, [
        { host: 'ls1', port: 5045 }, { host: 'ls2', port: 5044 }, { host: '::1', port: 6000 }, { host: '::1', port: 5044 },
        { host: '10.0.0.5', port: 7000 }, { host: 'ls3', port: 5044 }, { host: 'ls4', port: 7001 }
      ])
      assert.equal(o.host, 'ls1')
      assert.equal(o.port, 5045)
    })

    it('gives entries without a port the port option', () => {
      assert.deepEqual(normalizeOptions({ hosts: ['a', 'b:2'], port: 9000 }, NO_ENV).hosts, [{ host: 'a', port: 9000 }, { host: 'b', port: 2 }])
    })

    it('keeps host and port as the one-host spelling', () => {
      assert.deepEqual(normalizeOptions({ host: 'ls', port: 1234 }, NO_ENV).hosts, [{ host: 'ls', port: 1234 }])
    })

    it('takes LOGSTASH_HOSTS, comma separated, when the code sets no host', () => {
      assert.deepEqual(normalizeOptions({}, { LOGSTASH_HOSTS: 'ls1:1, ls2 ,[::1]:3', LOGSTASH_PORT: '9' }).hosts, [{ host: 'ls1', port: 1 }, { host: 'ls2', port: 9 }, { host: '::1', port: 3 }])
      assert.deepEqual(normalizeOptions({ host: 'code' }, { LOGSTASH_HOSTS: 'ls1:1' }).hosts, [{ host: 'code', port: 5959 }])
    })

    const wrongHosts: [string, unknown, RegExp][] = [
      ['an empty list', { hosts: [] }, /^hosts must be a non-empty array, got an array$/],
      ['a port out of range', { hosts: ['ls:70000'] }, /^hosts\[0\] must be 'host', 'host:port', '\[ipv6\]' or '\[ipv6\]:port' with a port 1-65535, got "ls:70000"$/],
      ['a port that is not a number', { hosts: ['a', 'ls:http'] }, /^hosts\[1\] must be .* got "ls:http"$/],
      ['an unclosed bracket', { hosts: ['[::1:5044'] }, /^hosts\[0\] must be/],
      ['an object without host', { hosts: [{ port: 1 }] }, /^hosts\[0\].host must be a non-empty string, got undefined$/],
      ['host and hosts together', { host: 'a', hosts: ['b'] }, /^host must be unset when hosts is set \(hosts replaces host\), got "a"$/],
      ['workers', { workers: 0 }, /^workers must be an integer 1-64, got 0$/],
      ['pipelining', { pipelining: 1.5 }, /^pipelining must be an integer 1-64, got 1.5$/],
      ['loadBalance', { loadBalance: 'yes' }, /^loadBalance must be true or false, got "yes"$/],
      ['retry.maxReconnectDelayMs', { retry: { initialDelayMs: 500, maxReconnectDelayMs: 100 } }, /^retry.maxReconnectDelayMs must be >= retry.initialDelayMs \(500\), got 100$/]
    ]
    for (const [name, input, message] of wrongHosts) {
      it(`refuses ${name}, naming it`, () => {
        assert.throws(() => normalizeOptions(input as never, NO_ENV), { name: 'ConfigurationError', message })
      })
    }

    it('refuses LOGSTASH_HOSTS with LOGSTASH_HOST, and a wrong entry, naming the variable', () => {
      assert.throws(() => normalizeOptions({}, { LOGSTASH_HOSTS: 'a', LOGSTASH_HOST: 'b' }), { name: 'ConfigurationError', message: /LOGSTASH_HOSTS and LOGSTASH_HOST must not both be set/ })
      assert.throws(() => normalizeOptions({}, { LOGSTASH_HOSTS: 'a,b:0' }), { name: 'ConfigurationError', message: /^environment variable LOGSTASH_HOSTS must be a comma-separated list .* got "a,b:0"$/ })
    })

    it('caps the reconnect backoff at a shorter retry.maxDelayMs', () => {
      assert.deepEqual(normalizeOptions({ retry: { maxDelayMs: 500 } }, NO_ENV).retry, { initialDelayMs: 100, maxDelayMs: 500, maxReconnectDelayMs: 500 })
    })
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
