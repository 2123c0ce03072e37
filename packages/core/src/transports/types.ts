import type { LogstashError } from '../errors'

/**
 * What a send may report besides success: events the transport refused for good (an
 * event larger than the protocol allows, an HTTP 413 for a single event). The batch as a
 * whole counts as delivered; the refused events are counted as dropped and reported.
 */
export interface SendOutcome {
  dropped: number
  error?: LogstashError
}

/**
 * One wire protocol. Opens lazily, reuses its connection, closes it in `close()`.
 * `send()` resolves when the protocol's notion of delivery is reached (the kernel has the
 * bytes for TCP and UDP, a 2xx for HTTP, the ACK for Beats) and rejects with a
 * `TransportError` whose `retryable` tells the worker whether to try again. A transport
 * never retries by itself, and never has more than one `send()` running per caller: the
 * worker awaits each send before the next.
 */
export interface Transport {
  send (events: readonly string[]): Promise<void | SendOutcome>
  close (): Promise<void>
}
