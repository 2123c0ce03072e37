import assert from 'node:assert/strict'
import type { AnyReceiver } from './receiver-kinds'
import { waitFor } from './wait'

/** `e<from>` ... `e<to - 1>`: the messages tests log. */
export const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `e${from + i}`)

/**
 * Asserts that the receivers together have `expected` exactly once, and, unless `ordered` is
 * false, each one in the order logged (a batch that failed and went again arrives after
 * those sent meanwhile).
 */
export function assertExactlyOnce (receivers: AnyReceiver[], expected: string[], { ordered = true } = {}): void {
  const all = receivers.flatMap((r) => r.messages())
  assert.equal(new Set(all).size, all.length, `${all.length - new Set(all).size} events arrived twice`)
  assert.deepEqual([...all].sort(), [...expected].sort())
  if (!ordered) return
  const order = new Map(expected.map((m, i) => [m, i]))
  for (const receiver of receivers) {
    const seen = receiver.messages().map((m) => order.get(m) as number)
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'out of order within one receiver')
  }
}

/**
 * An address where nothing listens: at 127.0.0.2 (loopback too, on Linux), a port that one
 * of the test's own receivers holds at 127.0.0.1. No other process can start listening there
 * meanwhile, as one could on a port that was closed again (tests running side by side would
 * then send each other their events).
 */
export function refusingAddress (heldPort: number): string {
  return `127.0.0.2:${heldPort}`
}

/**
 * Waits until the receivers together have `count` events: for TCP, delivered means the
 * kernel has the bytes, and the receiver reads them a moment later.
 */
export async function received (receivers: AnyReceiver[], count: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => receivers.reduce((n, r) => n + r.messages().length, 0) >= count, {
    timeoutMs, message: () => `${count} events (got ${receivers.map((r) => r.messages().length).join(' + ')})`
  })
}
