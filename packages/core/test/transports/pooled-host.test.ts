import assert from 'node:assert/strict'
import { TransportError } from '@logstash-async/core'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { PooledHost } = coreInternal<typeof import('../../src/transports/pooled-host')>('transports/pooled-host')

const BACKOFF = { initialDelayMs: 100, maxDelayMs: 30_000, maxReconnectDelayMs: 2000 }
const refused = new TransportError('ECONNREFUSED', { retryable: true, connectFailed: true })
const failedSend = new TransportError('HTTP 503', { retryable: true })

// A host's own backoff: reconnecting is cheap and capped low, sending again is not.
describe('PooledHost backoff', () => {
  it('waits at most maxReconnectDelayMs after failed connection attempts, however many', () => {
    const host = new PooledHost('ls:5044', BACKOFF)
    let now = 0
    for (let i = 0; i < 30; i++) {
      host.failed(refused, now)
      assert.ok(host.retryAt - now <= 2000, `wait ${host.retryAt - now} ms after ${i + 1} failures`)
      now = host.retryAt
    }
    assert.ok(host.retryAt - now >= 0)
    assert.equal(host.failures, 30)
  })

  it('backs off up to maxDelayMs after sends that failed on a connection that worked', () => {
    const host = new PooledHost('ls:5044', BACKOFF)
    let now = 0
    let longest = 0
    for (let i = 0; i < 30; i++) {
      host.failed(failedSend, now)
      longest = Math.max(longest, host.retryAt - now)
      now = host.retryAt
    }
    assert.ok(longest > 2000 && longest <= 30_000, `longest wait ${longest} ms`)
  })

  it('counts sends that fail together (one connection lost) as one failure', () => {
    const host = new PooledHost('ls:5044', BACKOFF)
    host.failed(failedSend, 0)
    host.failed(failedSend, 1)
    assert.equal(host.failures, 1)
    assert.equal(host.failedSends, 2)
  })

  it('takes one batch at a time after a failure until a send succeeds', () => {
    const host = new PooledHost('ls:5044', BACKOFF)
    host.lanes.push({ host, transport: { send: async () => {}, close: async () => {} }, capacity: 2, sends: 0, stalled: false })
    host.failed(refused, 0)
    assert.equal(host.usable, false)
    host.reachable()
    const lane = host.freeLane()
    assert.ok(lane !== undefined)
    lane.sends = 1
    assert.equal(host.freeLane(), undefined, 'half open: one batch')
    host.succeeded(10)
    assert.equal(host.freeLane(), lane)
    assert.equal(host.failures, 0)
  })
})
