import assert from 'node:assert/strict'
import { requestContext, type RequestContext } from '@logstash-async/core'

describe('requestContext', () => {
  it('is undefined outside a request', () => {
    assert.equal(requestContext.get(), undefined)
    assert.equal(requestContext.assign({ a: 1 }), false)
  })

  it('follows the request through awaits and timers', async () => {
    const seen: (string | undefined)[] = []
    await requestContext.run({ id: 'r1' }, async () => {
      seen.push(requestContext.get()?.id)
      await Promise.resolve()
      seen.push(requestContext.get()?.id)
      await new Promise<void>((resolve) => setTimeout(() => { seen.push(requestContext.get()?.id); resolve() }, 1))
    })
    assert.deepEqual(seen, ['r1', 'r1', 'r1'])
  })

  it('keeps two interleaved requests apart', async () => {
    let release!: () => void
    const barrier = new Promise<void>((resolve) => { release = resolve })
    const a = requestContext.run({ id: 'a' }, async () => { await barrier; return requestContext.get()?.id })
    const b = requestContext.run({ id: 'b' }, async () => { release(); await barrier; return requestContext.get()?.id })
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b'])
  })

  it('adds fields with assign(), for the rest of the request only', () => {
    const context: RequestContext = { id: 'r' }
    requestContext.run(context, () => {
      assert.equal(requestContext.assign({ tenant: 'acme' }), true)
      requestContext.assign({ plan: 'pro' })
    })
    assert.deepEqual(context.fields, { tenant: 'acme', plan: 'pro' })
    assert.equal(requestContext.get(), undefined)
  })

  it('is one store per process, shared by every copy of the package', () => {
    const key = Symbol.for('@logstash-async/core.requestContext')
    const store = (globalThis as Record<symbol, { getStore (): unknown }>)[key]
    requestContext.run({ id: 'shared' }, () => {
      assert.equal((store?.getStore() as RequestContext).id, 'shared')
    })
  })
})
