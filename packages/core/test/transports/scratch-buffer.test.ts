import assert from 'node:assert/strict'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { ScratchBuffer, SCRATCH_MAX_BYTES } = coreInternal<typeof import('../../src/transports/scratch-buffer')>('transports/scratch-buffer')

// The buffer transports encode batches into, kept between sends.
describe('ScratchBuffer', () => {
  it('hands out the same buffer again once it was released as reusable', () => {
    const scratch = new ScratchBuffer()
    const first = scratch.take(1000)
    assert.ok(first !== undefined && first.length >= 1000)
    scratch.release(first.subarray(0, 10), true)
    assert.equal(scratch.take(800), first)
  })

  it('hands out nothing while the buffer is in use', () => {
    const scratch = new ScratchBuffer()
    assert.notEqual(scratch.take(100), undefined)
    assert.equal(scratch.take(100), undefined)
  })

  it('never hands out again a buffer released as not reusable', () => {
    const scratch = new ScratchBuffer()
    const first = scratch.take(100)
    assert.ok(first !== undefined)
    scratch.release(first, false)
    const second = scratch.take(100)
    assert.ok(second !== undefined)
    assert.notEqual(second.buffer, first.buffer)
  })

  it('ignores the release of a buffer it did not hand out, which leaves its own in use', () => {
    const scratch = new ScratchBuffer()
    assert.notEqual(scratch.take(100), undefined)
    scratch.release(Buffer.alloc(100), true)
    assert.equal(scratch.take(100), undefined)
  })

  it('grows for a larger batch and hands out nothing beyond SCRATCH_MAX_BYTES', () => {
    const scratch = new ScratchBuffer()
    const small = scratch.take(100)
    assert.ok(small !== undefined)
    scratch.release(small, true)
    const larger = scratch.take(100_000)
    assert.ok(larger !== undefined && larger.length >= 100_000)
    scratch.release(larger, true)
    assert.equal(scratch.take(SCRATCH_MAX_BYTES + 1), undefined)
    assert.equal(scratch.take(SCRATCH_MAX_BYTES)?.length, SCRATCH_MAX_BYTES)
  })
})
