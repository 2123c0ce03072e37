import assert from 'node:assert/strict'
import { MemoryCache } from '@logstash-async/core'
import { coreInternal } from '../../../../test/helpers/core-internal'
import { memoryCacheOptions } from '../../../../test/helpers/resolved-options'

const { stringSource, bytesSource } = coreInternal<typeof import('../../src/transports/event-source')>('transports/event-source')
const { encodeJsonLines } = coreInternal<typeof import('../../src/transports/json-lines')>('transports/json-lines')
const { encodeJsonArray, jsonArrayRanges } = coreInternal<typeof import('../../src/transports/json-array')>('transports/json-array')
const { encodeWindow } = coreInternal<typeof import('../../src/transports/lumberjack')>('transports/lumberjack')
const { ScratchBuffer } = coreInternal<typeof import('../../src/transports/scratch-buffer')>('transports/scratch-buffer')

const EVENTS = ['{"a":1}', '{"m":"Grüße 🚀"}', '', `{"big":"${'ü'.repeat(400_000)}"}`, `{"big":"${'x'.repeat(600_000)}"}`, '{"z":26}']

// A transport encodes a batch from its strings (send) or from the memory cache's bytes
// (sendBytes): the same batch must give the same bytes on the wire either way.
describe('event sources: strings and the memory cache\'s bytes encode alike', () => {
  let sources: { strings: ReturnType<typeof stringSource>, bytes: ReturnType<typeof bytesSource> }

  before(async () => {
    const cache = new MemoryCache(memoryCacheOptions())
    for (const event of EVENTS) cache.add(event, Date.now())
    const batch = await cache.take(EVENTS.length)
    assert.ok(batch.bytes !== undefined, 'the memory cache hands out bytes')
    sources = { strings: stringSource(EVENTS), bytes: bytesSource(batch.bytes) }
  })

  const big = (): Buffer => Buffer.alloc(4 * 1024 * 1024)

  it('JSON lines (tcp)', () => {
    const expected = EVENTS.map((e) => `${e}\n`).join('')
    assert.equal(encodeJsonLines(sources.strings, big()).toString(), expected)
    assert.equal(encodeJsonLines(sources.bytes, big()).toString(), expected)
  })

  it('JSON arrays (http), whole and in ranges, and their sizes', () => {
    for (const [start, end] of [[0, EVENTS.length], [1, 3], [2, 3], [4, 4]] as const) {
      const expected = `[${EVENTS.slice(start, end).join(',')}]`
      assert.equal(encodeJsonArray(sources.strings, start, end, big()).toString(), expected)
      assert.equal(encodeJsonArray(sources.bytes, start, end, big()).toString(), expected)
    }
    assert.deepEqual(jsonArrayRanges(sources.bytes, 0, 1_000_000), jsonArrayRanges(sources.strings, 0, 1_000_000))
  })

  for (const level of [0, 3]) {
    it(`Lumberjack windows (beats, ${level === 0 ? 'plain' : 'compressed'}), whole and in part`, async () => {
      for (const [start, end] of [[0, EVENTS.length], [2, 5]] as const) {
        const fromStrings = Buffer.from(await encodeWindow(sources.strings, start, end, level, new ScratchBuffer()))
        const fromBytes = Buffer.from(await encodeWindow(sources.bytes, start, end, level, new ScratchBuffer()))
        assert.ok(fromBytes.equals(fromStrings), `${fromBytes.length} bytes against ${fromStrings.length}`)
      }
    })
  }
})
