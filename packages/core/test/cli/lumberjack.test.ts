import assert from 'node:assert/strict'
import { deflateSync } from 'node:zlib'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { LumberjackDecoder, LumberjackProtocolError, ackFrame } =
  coreInternal<typeof import('../../src/cli/lumberjack')>('cli/lumberjack.js')

// Frames built by hand from the protocol description, as the beats transport sends them.
function u32 (n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const window = (n: number): Buffer => Buffer.concat([Buffer.from('2W'), u32(n)])
function json (seq: number, event: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(event))
  return Buffer.concat([Buffer.from('2J'), u32(seq), u32(payload.length), payload])
}
function compressed (...frames: Buffer[]): Buffer {
  const payload = deflateSync(Buffer.concat(frames))
  return Buffer.concat([Buffer.from('2C'), u32(payload.length), payload])
}
function data (seq: number, fields: Record<string, string>): Buffer {
  const parts = [Buffer.from('2D'), u32(seq), u32(Object.keys(fields).length)]
  for (const [key, value] of Object.entries(fields)) {
    parts.push(u32(Buffer.byteLength(key)), Buffer.from(key), u32(Buffer.byteLength(value)), Buffer.from(value))
  }
  return Buffer.concat(parts)
}

describe('LumberjackDecoder', () => {
  it('reads a window frame and plain JSON frames', () => {
    const frames = new LumberjackDecoder().push(Buffer.concat([window(2), json(1, { a: 1 }), json(2, { a: 2 })]))
    assert.deepEqual(frames.map((f) => f.type), ['window', 'json', 'json'])
    assert.deepEqual(frames[0], { type: 'window', version: 0x32, size: 2 })
    const second = frames[2]
    assert.ok(second?.type === 'json')
    assert.equal(second.seq, 2)
    assert.deepEqual(JSON.parse(second.payload.toString()), { a: 2 })
  })

  it('opens a compressed frame into the JSON frames it holds', () => {
    const events = [{ message: 'one' }, { message: 'two', n: 'é€' }, { message: 'three' }]
    const frames = new LumberjackDecoder().push(Buffer.concat([window(3), compressed(...events.map((e, i) => json(i + 1, e)))]))
    const jsonFrames = frames.filter((f) => f.type === 'json')
    assert.deepEqual(jsonFrames.map((f) => f.seq), [1, 2, 3])
    assert.deepEqual(jsonFrames.map((f) => JSON.parse(f.payload.toString())), events)
  })

  it('gives the same frames however the stream is split, down to single bytes', () => {
    const stream = Buffer.concat([window(3), compressed(json(1, { a: 1 }), json(2, { b: 'x'.repeat(300) })), json(3, { c: 3 }), data(4, { line: 'hi' })])
    const whole = new LumberjackDecoder().push(stream)
    const decoder = new LumberjackDecoder()
    const pieces = []
    for (let i = 0; i < stream.length; i++) pieces.push(...decoder.push(stream.subarray(i, i + 1)))
    assert.deepEqual(pieces, whole)
    assert.equal(whole.length, 5)
    assert.equal(decoder.pendingBytes, 0)
  })

  it('reads key/value data frames of older shippers', () => {
    const [frame] = new LumberjackDecoder().push(data(7, { line: 'hello', host: 'web-1' }))
    assert.deepEqual(frame, { type: 'data', version: 0x32, seq: 7, fields: { line: 'hello', host: 'web-1' } })
  })

  it('rejects a stream that is not Lumberjack', () => {
    assert.throws(() => new LumberjackDecoder().push(Buffer.from('{"message":"json lines"}\n')), LumberjackProtocolError)
    assert.throws(() => new LumberjackDecoder().push(Buffer.from('2X')), /unknown frame type 0x58/)
  })

  it('rejects a frame whose length is absurd instead of buffering it', () => {
    const header = Buffer.concat([Buffer.from('2J'), u32(1), u32(0xffffffff)])
    assert.throws(() => new LumberjackDecoder().push(header), /larger than/)
  })

  it('rejects a compressed frame that does not inflate', () => {
    const garbage = Buffer.from('not zlib')
    assert.throws(() => new LumberjackDecoder().push(Buffer.concat([Buffer.from('2C'), u32(garbage.length), garbage])), /does not inflate/)
  })

  it('builds the ACK as 2A and the sequence number, big-endian', () => {
    assert.deepEqual(ackFrame(1000), Buffer.from([0x32, 0x41, 0, 0, 0x03, 0xe8]))
  })
})
