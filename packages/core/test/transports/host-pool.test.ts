import assert from 'node:assert/strict'
import { TransportError } from '@logstash-async/core'
import { coreInternal } from '../../../../test/helpers/core-internal'
import type { ConnectionHooks, PooledTransport } from '../../src/transports/connection'

const { HostPool } = coreInternal<typeof import('../../src/transports/host-pool')>('transports/host-pool')

const BACKOFF = { initialDelayMs: 100, maxDelayMs: 1000, maxReconnectDelayMs: 1000 }
const lost = new TransportError('connection lost', { retryable: true })

/** A connection that records the connection attempts made on it and can say it stalled. */
interface FakeConnection extends PooledTransport {
  connects: number
  hooks: ConnectionHooks
}

/** A pool over hosts a, b, c, one connection each, whose connection attempts never end. */
function poolOf (loadBalance: boolean): { pool: InstanceType<typeof HostPool>, connections: FakeConnection[] } {
  const connections: FakeConnection[] = []
  const pool = new HostPool(['a:1', 'b:1', 'c:1'].map((address) => ({
    address,
    connections: 1,
    create: (hooks: ConnectionHooks) => {
      const connection: FakeConnection = {
        connects: 0,
        hooks,
        maxConcurrentSends: 2,
        send: async () => {},
        connect: () => { connection.connects++; return new Promise<void>(() => {}) },
        close: async () => {}
      }
      connections.push(connection)
      return connection
    }
  })), { loadBalance, backoff: BACKOFF })
  return { pool, connections }
}

/** Fails one send on `index`'s connection at `now`: its host is down until its backoff ends. */
async function failOn (pool: InstanceType<typeof HostPool>, connections: FakeConnection[], index: number): Promise<void> {
  const connection = connections[index] as FakeConnection
  connection.send = async () => { throw lost }
  const lane = pool.pick()
  assert.ok(lane?.transport === connection, `the next batch goes to host ${index}`)
  await assert.rejects(pool.sendOn(lane, { events: ['e'] }))
  connection.send = async () => {}
}

// The worker sleeps until nextRetryAt(): whatever it reports must be acted upon by the
// pick() that follows, or a host that is due waits for a send that may never end.
describe('HostPool retry times', () => {
  it('failover: reports the host in front of the one in use, and pick() tries it once its time has come', async () => {
    const { pool, connections } = poolOf(false)
    await failOn(pool, connections, 0)
    const at = pool.nextRetryAt()
    assert.ok(at !== undefined, 'the failed first host is to be tried again')
    assert.equal(pool.pick(at - 1)?.transport, connections[1], 'meanwhile the second host takes batches')
    assert.equal(connections[0]?.connects, 0)
    pool.pick(at)
    assert.equal(connections[0]?.connects, 1, 'tried at its time')
    assert.equal(pool.nextRetryAt(), undefined, 'nothing to wait for while it is being tried')
  })

  it('failover: does not report a host behind the one in use, which pick() leaves alone', async () => {
    const { pool, connections } = poolOf(false)
    connections[0]?.hooks.onStall?.(true)
    await failOn(pool, connections, 1)
    connections[0]?.hooks.onStall?.(false)
    assert.equal(pool.nextRetryAt(), undefined, 'the first host works: the second is not needed')
    assert.equal(pool.pick(Date.now() + 60_000)?.transport, connections[0])
    assert.equal(connections[1]?.connects, 0)
  })

  it('failover: reports a host behind one that stopped reading, and pick() tries it', async () => {
    const { pool, connections } = poolOf(false)
    connections[0]?.hooks.onStall?.(true)
    await failOn(pool, connections, 1)
    const at = pool.nextRetryAt()
    assert.ok(at !== undefined, 'the first host stalled: the second is needed again')
    assert.equal(pool.pick(at)?.transport, connections[2])
    assert.equal(connections[1]?.connects, 1)
  })

  it('load balancing: reports every host that is down, and pick() tries it', async () => {
    const { pool, connections } = poolOf(true)
    await failOn(pool, connections, 0)
    const at = pool.nextRetryAt()
    assert.ok(at !== undefined)
    pool.pick(at)
    assert.equal(connections[0]?.connects, 1)
  })
})
