import assert from 'node:assert/strict'
import { backoffDelay } from '@logstash-async/core/internal'

const retry = { initialDelayMs: 100, maxDelayMs: 30_000 }

describe('backoffDelay', () => {
  it('doubles with every failure, between half and all of the exponential delay', () => {
    for (let failures = 1; failures <= 8; failures++) {
      const full = 100 * 2 ** (failures - 1)
      assert.equal(backoffDelay(failures, retry, () => 0), full / 2)
      assert.equal(backoffDelay(failures, retry, () => 1), full)
    }
  })

  it('never exceeds maxDelayMs, however many failures', () => {
    assert.equal(backoffDelay(1000, retry, () => 1), 30_000)
    assert.equal(backoffDelay(1000, retry, () => 0), 15_000)
  })

  it('treats zero failures like the first', () => {
    assert.equal(backoffDelay(0, retry, () => 1), 100)
  })
})
