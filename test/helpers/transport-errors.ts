import assert from 'node:assert/strict'
import { TransportError } from '@logstash-async/core'

/**
 * For `assert.rejects`: a retryable `TransportError` whose own code, or its cause's code
 * (ECONNREFUSED, a TLS verification code...), is `code`.
 */
export function retryableWith (code: string): (err: unknown) => boolean {
  return (err: unknown): boolean => {
    assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`)
    assert.equal(err.retryable, true)
    const causeCode = (err.cause as NodeJS.ErrnoException | undefined)?.code
    assert.ok(err.code === code || causeCode === code, `expected ${code}, got ${err.code} (cause ${String(causeCode)}): ${err.message}`)
    return true
  }
}
