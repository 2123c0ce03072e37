import { coreInternal } from '../../../test/helpers/core-internal'
import { waitFor } from '../../../test/helpers/wait'
import type { HostPool } from '../src/transports/host-pool'
import type { Lane } from '../src/transports/pooled-host'

const { Worker } = coreInternal<typeof import('../src/worker')>('worker')
const { MemoryCache } = coreInternal<typeof import('../src/caches/memory')>('caches/memory')
const { ErrorReporter } = coreInternal<typeof import('../src/error-reporter')>('error-reporter')

// A send to a receiver that stopped reading may never end. The worker must not wait for it
// to try a host whose backoff is over, even when its timer fired a millisecond before
// Date.now() said so (the pick() it ran then found the host not yet due).
describe('Worker retry timer', () => {
  let worker: InstanceType<typeof Worker> | undefined
  let endSend: (() => void) | undefined

  afterEach(async () => {
    const stopping = worker?.stop()
    endSend?.()
    await stopping
  })

  it('tries a host that became due after its last pick, while a send hangs', async () => {
    let picks = 0
    let dueAt = 0
    const hanging = {} as unknown as Lane
    // The first pick gets a connection whose send never ends; every later one finds none free,
    // and the host that is down is due at the very moment the worker asks (not when it picked).
    const pool = {
      onChange: () => {},
      pick: () => {
        picks++
        if (picks === 1) return hanging
        dueAt = Date.now()
        return undefined
      },
      sendOn: () => new Promise<void>((resolve) => { endSend = resolve }),
      nextRetryAt: () => dueAt
    } as unknown as HostPool
    const cache = new MemoryCache({ maxEvents: 100, maxBytes: undefined })
    worker = new Worker(cache, pool, { flushIntervalMs: 10, flushCount: 1, batchSize: 1, eventTtlMs: undefined, retry: { initialDelayMs: 10, maxDelayMs: 100 } }, new ErrorReporter(() => {}, 10))
    for (let i = 0; i < 3; i++) { cache.add(`{"n":${i}}`, Date.now()); worker.notify() }
    await waitFor(() => picks >= 2, { message: 'the worker to find no free connection' })
    const before = picks
    await waitFor(() => picks > before + 2, { timeoutMs: 2000, message: () => `the worker to look again for the host that is due (${picks} picks)` })
  })
})
