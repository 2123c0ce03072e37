import assert from 'node:assert/strict'
import { ConfigurationError, defaultAccessLevel, defaultHandler, LogstashHandler, type HandlerOptions, type LogRecord, type LogSink } from '@logstash-async/core'
import { checkHeaderName, leaseHandler, resolveTrackerOptions, splitAdapterOptions } from '@logstash-async/core/adapter'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { isAccessSkipped } = coreInternal<typeof import('../../src/http/access')>('http/access.js')

interface TestOptions extends HandlerOptions {
  handler?: LogSink
  loggerName?: string
  accessLog?: boolean
}

const OWN = { own: ['loggerName', 'accessLog'] } as const
const sink: LogSink = { log (_record: LogRecord) {} }

/** Runs `fn`, returning the warnings it emitted. */
function warningsOf (fn: () => void): string[] {
  const warnings: string[] = []
  const original = process.emitWarning
  process.emitWarning = ((message: string) => { warnings.push(message) }) as typeof process.emitWarning
  try {
    fn()
  } finally {
    process.emitWarning = original
  }
  return warnings
}

describe('splitAdapterOptions', () => {
  it('splits the adapter\'s own options, the handler and the handler options', () => {
    const split = splitAdapterOptions<TestOptions>('testAdapter', { loggerName: 'x', host: '127.0.0.1', port: 1 }, OWN)
    assert.deepEqual(split.adapterOptions, { loggerName: 'x' })
    assert.deepEqual(split.handlerOptions, { host: '127.0.0.1', port: 1 })
    assert.equal(split.handler, undefined)
  })

  it('treats undefined and null as no options', () => {
    for (const input of [undefined, null]) {
      assert.deepEqual(splitAdapterOptions<TestOptions>('testAdapter', input, OWN),
        { handler: undefined, adapterOptions: {}, handlerOptions: undefined })
    }
  })

  it('does not count handler options set to undefined', () => {
    assert.equal(splitAdapterOptions<TestOptions>('testAdapter', { host: undefined }, OWN).handlerOptions, undefined)
  })

  it('leaves the keys to ignore out of both', () => {
    const split = splitAdapterOptions<TestOptions>('testAdapter', { prefix: '/api' }, { ...OWN, ignore: ['prefix'] })
    assert.deepEqual(split.adapterOptions, {})
    assert.equal(split.handlerOptions, undefined)
  })

  it('warns about a key that is nobody\'s, naming the adapter and the closest option, and drops it', () => {
    let split: ReturnType<typeof splitAdapterOptions<TestOptions>> | undefined
    const warnings = warningsOf(() => { split = splitAdapterOptions<TestOptions>('testAdapter', { access: false }, OWN) })
    assert.deepEqual(warnings, ["testAdapter: unknown option 'access' (did you mean 'accessLog'?)"])
    assert.equal(split?.handlerOptions, undefined)
  })

  it('refuses options that are not an object, naming the adapter', () => {
    assert.throws(() => splitAdapterOptions<TestOptions>('testAdapter', 'verbose', OWN),
      (err: unknown) => err instanceof ConfigurationError && err.message === 'testAdapter options must be an object, got "verbose"')
  })

  it('refuses a handler without the methods the adapter calls', () => {
    assert.throws(() => splitAdapterOptions<TestOptions>('testAdapter', { handler: sink }, { ...OWN, handlerMethods: ['log', 'flush', 'close'] }),
      (err: unknown) => err instanceof ConfigurationError &&
        err.message === 'handler must be an object with log(), flush() and close() methods (a LogstashHandler), got an object (Object)')
  })

  it('refuses a handler together with handler options, naming them', () => {
    assert.throws(() => splitAdapterOptions<TestOptions>('testAdapter', { handler: sink, host: 'x', port: 1 }, OWN),
      (err: unknown) => err instanceof ConfigurationError &&
        err.message.startsWith("testAdapter: handler cannot be combined with handler options, got handler and 'host', 'port'"))
  })

  it('validates the handler options at once, naming the wrong one', () => {
    assert.throws(() => splitAdapterOptions<TestOptions>('testAdapter', { port: 70000 }, OWN),
      (err: unknown) => err instanceof ConfigurationError && err.message === 'port must be an integer 1-65535, got 70000')
  })
})

describe('leaseHandler', () => {
  it('uses a given handler and owns nothing', () => {
    assert.deepEqual(leaseHandler({ handler: sink, handlerOptions: undefined }), { handler: sink, owned: undefined })
  })

  it('creates and owns a handler from handler options', async () => {
    const lease = leaseHandler({ handler: undefined, handlerOptions: { host: '127.0.0.1', port: 1, enabled: false } })
    try {
      assert.ok(lease.owned instanceof LogstashHandler)
      assert.equal(lease.handler, lease.owned)
      assert.equal(lease.owned.options.port, 1)
    } finally {
      await lease.owned?.close()
    }
  })

  it('falls back to the process-wide default handler, owning nothing', () => {
    assert.deepEqual(leaseHandler({ handler: undefined, handlerOptions: undefined }), { handler: defaultHandler(), owned: undefined })
  })
})

describe('resolveTrackerOptions', () => {
  it('applies the defaults, with the adapter\'s logger name', () => {
    assert.deepEqual({ ...resolveTrackerOptions({ loggerName: 'koa' }) }, {
      loggerName: 'koa',
      accessLog: true,
      accessLevel: defaultAccessLevel,
      skip: undefined,
      logErrors: true,
      user: undefined,
      requestIdHeader: 'x-request-id',
      generateRequestId: undefined,
      echoRequestId: false,
      framework: undefined
    })
  })

  const wrong: [string, Record<string, unknown>, string][] = [
    ['accessLog', { accessLog: 'yes' }, 'accessLog must be true or false, got "yes"'],
    ['accessLevel', { accessLevel: 'info' }, 'accessLevel must be a function, got "info"'],
    ['loggerName', { loggerName: '' }, 'loggerName must be a non-empty string, got ""'],
    ['skip', { skip: true }, 'skip must be a function, got true'],
    ['logErrors', { logErrors: 1 }, 'logErrors must be true or false, got 1'],
    ['user', { user: 'alice' }, 'user must be a function, got "alice"'],
    ['requestIdHeader', { requestIdHeader: 'request id' }, 'requestIdHeader must be an HTTP header name, got "request id"'],
    ['generateRequestId', { generateRequestId: 42 }, 'generateRequestId must be a function, got 42'],
    ['echoRequestId', { echoRequestId: 'no' }, 'echoRequestId must be true or false, got "no"'],
    ['framework', { framework: 'koa' }, 'framework must be an object with a name and a version string, got "koa"']
  ]
  for (const [name, options, message] of wrong) {
    it(`throws a ConfigurationError naming a wrong ${name}`, () => {
      assert.throws(() => resolveTrackerOptions({ loggerName: 'koa', ...options } as never), (err: unknown) => err instanceof ConfigurationError && err.message === message)
    })
  }
})

describe('checkHeaderName', () => {
  it('lower-cases a header name', () => {
    assert.equal(checkHeaderName('requestIdHeader', 'X-Correlation-Id'), 'x-correlation-id')
  })

  it('refuses what is not a header name', () => {
    assert.throws(() => checkHeaderName('requestIdHeader', 'request id'),
      (err: unknown) => err instanceof ConfigurationError && err.message === 'requestIdHeader must be an HTTP header name, got "request id"')
  })
})

describe('isAccessSkipped', () => {
  it('is true only when skip returns true', () => {
    assert.equal(isAccessSkipped(undefined), false)
    assert.equal(isAccessSkipped((n: number) => n > 1, 2), true)
    assert.equal(isAccessSkipped(() => 'yes'), false)
  })

  it('logs the event when skip throws', () => {
    assert.equal(isAccessSkipped(() => { throw new Error('broken') }), false)
  })
})
