import assert from 'node:assert/strict'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { EventArena, ARENA_CHUNK_BYTES } = coreInternal<typeof import('../../src/caches/event-arena')>('caches/event-arena')

interface Written { chunk: number, start: number, bytes: number }

function write (arena: InstanceType<typeof EventArena>, text: string): Written {
  const bytes = arena.write(text)
  return { chunk: arena.lastChunk, start: arena.lastStart, bytes }
}

function line (arena: InstanceType<typeof EventArena>, at: Written): Buffer {
  const target = Buffer.alloc(at.bytes + 1)
  arena.copy(at.chunk, at.start, at.start + at.bytes + 1, target, 0)
  return target
}

// Where the memory cache keeps its events' text: UTF-8 outside V8's heap.
describe('EventArena', () => {
  it('gives back each text as written, multi-byte characters and the empty text included', () => {
    const arena = new EventArena()
    const texts = ['{"a":1}', '', '{"m":"Grüße, 東京 🚀"}', '{"lone":"\\ud800"}']
    const written = texts.map((text) => write(arena, text))
    for (const [i, text] of texts.entries()) {
      const at = written[i] as Written
      assert.equal(at.bytes, Buffer.byteLength(text))
      assert.equal(arena.read(at.chunk, at.start, at.bytes), text)
    }
  })

  it('keeps a newline after each text, so that a run of events copies as JSON lines', () => {
    const arena = new EventArena()
    const first = write(arena, '{"a":1}')
    const second = write(arena, '{"b":"é"}')
    assert.equal(second.chunk, first.chunk)
    assert.equal(second.start, first.start + first.bytes + 1)
    const target = Buffer.alloc(first.bytes + second.bytes + 2)
    arena.copy(first.chunk, first.start, second.start + second.bytes + 1, target, 0)
    assert.equal(target.toString(), '{"a":1}\n{"b":"é"}\n')
  })

  it('starts a new chunk when a text does not fit in what is left of the current one', () => {
    const arena = new EventArena()
    const big = 'x'.repeat(ARENA_CHUNK_BYTES / 2)
    const first = write(arena, big)
    const second = write(arena, big)
    assert.notEqual(second.chunk, first.chunk)
    assert.equal(second.start, 0)
    assert.equal(arena.read(first.chunk, first.start, first.bytes), big)
    assert.equal(arena.read(second.chunk, second.start, second.bytes), big)
  })

  it('measures a text that might not fit by its bytes, not by 3 per character', () => {
    const arena = new EventArena()
    // Two texts of nearly half a chunk each fit (3 bytes per character would say they do not).
    const half = 'y'.repeat(ARENA_CHUNK_BYTES / 2 - 8)
    const first = write(arena, half)
    const second = write(arena, half)
    assert.equal(second.chunk, first.chunk)
    assert.equal(arena.read(second.chunk, second.start, second.bytes), half)
  })

  it('gives a text larger than a chunk a buffer of its own, with its newline', () => {
    const arena = new EventArena()
    const small = write(arena, '{"before":1}')
    const huge = 'h'.repeat(ARENA_CHUNK_BYTES + 10)
    const alone = write(arena, huge)
    const after = write(arena, '{"after":1}')
    assert.notEqual(alone.chunk, small.chunk)
    assert.equal(after.chunk, small.chunk)
    assert.equal(arena.read(alone.chunk, alone.start, alone.bytes), huge)
    assert.equal(line(arena, alone).at(-1), 0x0a)
  })

  it('frees a chunk once its last event left, and writes into it again without touching live events', () => {
    const arena = new EventArena()
    const half = 'a'.repeat(ARENA_CHUNK_BYTES / 2)
    const a = write(arena, half)
    const b = write(arena, half)
    const c = write(arena, 'c'.repeat(ARENA_CHUNK_BYTES / 2))
    // a's chunk is retired (b and c went elsewhere); once a leaves, its chunk is free.
    arena.free(a.chunk, 1)
    const d = write(arena, 'd'.repeat(ARENA_CHUNK_BYTES / 2))
    const e = write(arena, 'e'.repeat(ARENA_CHUNK_BYTES / 2))
    assert.equal(arena.read(b.chunk, b.start, b.bytes), half)
    assert.equal(arena.read(c.chunk, c.start, c.bytes), 'c'.repeat(ARENA_CHUNK_BYTES / 2))
    assert.equal(arena.read(d.chunk, d.start, d.bytes), 'd'.repeat(ARENA_CHUNK_BYTES / 2))
    assert.equal(arena.read(e.chunk, e.start, e.bytes), 'e'.repeat(ARENA_CHUNK_BYTES / 2))
    // The freed id is given out again: chunk ids do not grow with the events ever written.
    assert.ok([d.chunk, e.chunk].includes(a.chunk))
  })

  it('keeps the chunk being written while it is empty', () => {
    const arena = new EventArena()
    const a = write(arena, '{"a":1}')
    arena.free(a.chunk, 1)
    const b = write(arena, '{"b":2}')
    assert.equal(b.chunk, a.chunk)
    assert.equal(b.start, a.start + a.bytes + 1)
    assert.equal(arena.read(b.chunk, b.start, b.bytes), '{"b":2}')
  })
})
