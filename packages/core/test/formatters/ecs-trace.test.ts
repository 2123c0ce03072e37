import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import { EcsFormatter, type ElasticApmAgent } from '@logstash-async/core'
import { assertEcsLine, valueAt } from '../../../../test/helpers/ecs-validate'

const FIXTURES = resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures')

function runChild (script: string, env: NodeJS.ProcessEnv = {}, execArgv: string[] = []): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [...execArgv, resolve(FIXTURES, script)], { env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err !== null) { reject(new Error(`${script} failed: ${err.message}\n${stderr}`)); return }
      const last = stdout.trim().split('\n').pop() ?? ''
      try { resolvePromise(JSON.parse(last) as Record<string, unknown>) } catch { reject(new Error(`${script} printed no JSON: ${stdout}\n${stderr}`)) }
    })
  })
}

const log = (formatter: EcsFormatter): Record<string, unknown> =>
  assertEcsLine(formatter.format({ level: 'info', message: 'traced', time: Date.now() }))

describe('EcsFormatter trace correlation', () => {
  describe('with OpenTelemetry', () => {
    let provider: BasicTracerProvider

    beforeEach(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
      provider = new BasicTracerProvider()
      trace.setGlobalTracerProvider(provider)
    })

    afterEach(async () => {
      trace.disable()
      context.disable()
      await provider.shutdown()
    })

    it('writes trace.id and span.id of the active span', () => {
      const formatter = new EcsFormatter()
      const tracer = trace.getTracer('ecs-test')
      const { event, ids } = tracer.startActiveSpan('checkout', (span) => {
        try {
          return { event: log(formatter), ids: span.spanContext() }
        } finally {
          span.end()
        }
      })
      assert.match(ids.traceId, /^[0-9a-f]{32}$/)
      assert.equal(valueAt(event, 'trace.id'), ids.traceId)
      assert.equal(valueAt(event, 'span.id'), ids.spanId)
      assert.equal(valueAt(event, 'transaction.id'), undefined)
    })

    it('follows the active span into awaited code', async () => {
      const formatter = new EcsFormatter()
      const event = await trace.getTracer('ecs-test').startActiveSpan('outer', async (span) => {
        await new Promise<void>((resolveTick) => setImmediate(resolveTick))
        const inner = log(formatter)
        span.end()
        assert.equal(valueAt(inner, 'span.id'), span.spanContext().spanId)
        return inner
      })
      assert.ok(valueAt(event, 'trace.id'))
    })

    it('writes no trace fields outside a span', () => {
      const event = log(new EcsFormatter())
      for (const key of ['trace', 'transaction', 'span']) assert.equal(event[key], undefined, key)
    })

    it('writes no trace fields with apmIntegration off', () => {
      const formatter = new EcsFormatter({ apmIntegration: false })
      const event = trace.getTracer('ecs-test').startActiveSpan('x', (span) => { span.end(); return log(formatter) })
      assert.equal(event.trace, undefined)
    })
  })

  describe('with Elastic APM', () => {
    it('writes trace.id, transaction.id, span.id and the service of the real agent (offline, in a child process)', async function () {
      this.timeout(30_000)
      const result = await runChild('ecs-apm-child.js') as { ids: Record<string, string>, lines: Record<string, string> }
      const inSpan = assertEcsLine(result.lines.inSpan as string)
      assert.equal(valueAt(inSpan, 'trace.id'), result.ids.traceId)
      assert.equal(valueAt(inSpan, 'transaction.id'), result.ids.transactionId)
      assert.equal(valueAt(inSpan, 'span.id'), result.ids.spanId)
      // The agent passed explicitly (its own TypeScript type fits the option) gives the same ids.
      assert.deepEqual(assertEcsLine(result.lines.explicit as string).span, { id: result.ids.spanId })
      const inTransaction = assertEcsLine(result.lines.inTransaction as string)
      assert.equal(valueAt(inTransaction, 'transaction.id'), result.ids.transactionId)
      assert.equal(valueAt(inTransaction, 'span.id'), undefined)
      const outside = assertEcsLine(result.lines.outside as string)
      assert.equal(outside.trace, undefined)
      // The spec: with an agent active, the logger takes its service settings.
      assert.deepEqual(outside.service, { name: 'apm-service', version: '9.9.9', environment: 'staging' })
      assert.equal(valueAt(outside, 'event.dataset'), 'apm-service.log')
    })

    // A stand-in for the agent, with the shape of elastic-apm-node's Agent, for what the
    // real one cannot easily do in-process: a stopped agent and a broken one.
    const standIn = (overrides: Partial<ElasticApmAgent>): ElasticApmAgent => ({
      isStarted: () => true,
      currentTransaction: { ids: { 'trace.id': '0af7651916cd43dd8448eb211c80319c', 'transaction.id': 'b7ad6b7169203331' } },
      currentSpan: null,
      ...overrides
    })

    it('reads the agent given in the elasticApm option', () => {
      const event = log(new EcsFormatter({ elasticApm: standIn({ currentSpan: { ids: { 'span.id': '00f067aa0ba902b7' } } }) }))
      assert.equal(valueAt(event, 'trace.id'), '0af7651916cd43dd8448eb211c80319c')
      assert.equal(valueAt(event, 'transaction.id'), 'b7ad6b7169203331')
      assert.equal(valueAt(event, 'span.id'), '00f067aa0ba902b7')
    })

    it('ignores an agent that is not started', () => {
      assert.equal(log(new EcsFormatter({ elasticApm: standIn({ isStarted: () => false }) })).trace, undefined)
    })

    it('keeps the event when the agent throws', () => {
      const broken = standIn({})
      Object.defineProperty(broken, 'currentTransaction', { get () { throw new Error('agent bug') } })
      const event = log(new EcsFormatter({ elasticApm: broken }))
      assert.equal(event.message, 'traced')
      assert.equal(event.trace, undefined)
    })
  })

  describe('with neither installed', () => {
    it('formats valid events without trace fields (child process with both modules hidden)', async function () {
      this.timeout(30_000)
      const result = await runChild('ecs-no-tracer-child.js', { HIDE_MODULES: '@opentelemetry/api,elastic-apm-node' },
        ['--require', resolve(FIXTURES, 'hide-modules.js')]) as { hidden: boolean, lines: string[] }
      assert.equal(result.hidden, true)
      assert.equal(result.lines.length, 2)
      for (const line of result.lines) {
        const event = assertEcsLine(line)
        assert.equal(event.trace, undefined)
        assert.equal(valueAt(event, 'service.name'), 'plain')
      }
    })
  })
})
