import { TransportError, type SendOutcome, type Transport } from '@logstash-async/core'

type Step = 'ok' | 'retryable' | 'fatal' | { dropped: number } | { settled: number }

/**
 * A Transport that records what it is asked to send and fails on command. For worker and
 * handler logic (batching, retry, ordering); the wire protocols are tested against real
 * loopback servers.
 */
export class RecordingTransport implements Transport {
  readonly batches: string[][] = []
  readonly attempts: string[][] = []
  /** What the next sends do, in order; then every send succeeds. */
  readonly script: Step[] = []
  /** While set, sends wait for it. */
  gate: Promise<void> | undefined
  closed = false
  /** How many sends the worker may run at once on it (the Transport contract's option). */
  maxConcurrentSends: number | undefined
  concurrent = 0
  maxConcurrent = 0

  get events (): string[] {
    return this.batches.flat()
  }

  /** The events, parsed. */
  get parsed (): Record<string, unknown>[] {
    return this.events.map((e) => JSON.parse(e) as Record<string, unknown>)
  }

  async send (events: readonly string[]): Promise<void | SendOutcome> {
    this.concurrent++
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent)
    try {
      this.attempts.push([...events])
      if (this.gate !== undefined) await this.gate
      const step = this.script.shift() ?? 'ok'
      if (step === 'retryable') throw new TransportError('receiver unavailable', { retryable: true })
      if (step === 'fatal') throw new TransportError('receiver said 400', { retryable: false })
      if (typeof step === 'object' && 'settled' in step) {
        // The head arrived, then the connection failed.
        this.batches.push(events.slice(0, step.settled))
        throw new TransportError('connection lost part way', { retryable: true, settled: { count: step.settled, dropped: 0 } })
      }
      this.batches.push([...events])
      if (typeof step === 'object') return { dropped: step.dropped }
    } finally {
      this.concurrent--
    }
  }

  async close (): Promise<void> {
    this.closed = true
  }
}
