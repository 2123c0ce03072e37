import assert from 'node:assert/strict'
import { createLogger, LogstashHandler, MemoryCache } from '@logstash-async/core'
import { RecordingTransport } from '../../../test/helpers/recording-transport'
import { waitFor } from '../../../test/helpers/wait'
import { memoryCacheOptions } from '../../../test/helpers/resolved-options'

/** A memory cache that counts the persist ticks a persistent cache gets. */
class TickedCache extends MemoryCache {
  ticks = 0
  /** What `persist()` answers: whether another tick is needed without new events. */
  again = false
  readonly inFlightAtTick: number[] = []

  async persist (): Promise<boolean> {
    this.ticks++
    this.inFlightAtTick.push(this.counts().inFlight)
    return this.again
  }
}

describe('Worker persist tick', () => {
  let handler: LogstashHandler | undefined
  let openGate: (() => void) | undefined

  afterEach(async () => {
    openGate?.()
    await handler?.close()
    handler = undefined
  })

  it('gives a persistent cache a tick once events come in, with the batch a hanging send holds', async () => {
    const cache = new TickedCache(memoryCacheOptions())
    const transport = new RecordingTransport()
    transport.gate = new Promise((resolve) => { openGate = resolve })
    handler = new LogstashHandler({ transport, cache, flushIntervalMs: 20, closeTimeoutMs: 100 })
    createLogger({ handler }).info('one')
    await waitFor(() => cache.ticks === 1, { message: () => `a tick (got ${cache.ticks})` })
    assert.deepEqual(cache.inFlightAtTick, [1])
  })

  it('ticks again without new events while the cache asks for it', async () => {
    const cache = new TickedCache(memoryCacheOptions())
    cache.again = true
    handler = new LogstashHandler({ transport: new RecordingTransport(), cache, flushIntervalMs: 10 })
    createLogger({ handler }).info('one')
    await waitFor(() => cache.ticks >= 3, { message: () => `3 ticks (got ${cache.ticks})` })
  })
})
