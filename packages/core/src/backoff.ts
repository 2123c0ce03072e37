/**
 * Delay before the next attempt after `failures` failed sends in a row: exponential from
 * `initialDelayMs`, capped at `maxDelayMs`, with "equal jitter" (half fixed, half random)
 * so that processes which failed together spread out, yet none retries almost at once.
 */
export function backoffDelay (failures: number, retry: { initialDelayMs: number, maxDelayMs: number }, random: () => number = Math.random): number {
  const exponential = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30))
  return Math.round(exponential / 2 + random() * exponential / 2)
}
