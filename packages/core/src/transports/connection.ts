import type { Transport } from '../contracts'
import type { TransportError } from '../errors'

/**
 * What the host pool uses of the handler's own transports (one connection to one host
 * each), besides the `Transport` contract. A user's transport has none of it.
 */
export interface PooledTransport extends Transport {
  /**
   * Opens the connection without sending: how a host that failed is tried again, so that no
   * batch waits on a host that may still be down. Rejects like a send that could not connect.
   */
  connect? (): Promise<void>
  /** True while a write has made no progress for `timeoutMs`: the receiver stopped reading. */
  readonly stalled?: boolean
  /** Writes the kernel has not fully taken yet: each keeps the event loop alive until it has. */
  readonly pendingWrites?: number
  /**
   * Abandons what is under way (those sends reject with `error`, with what was delivered as
   * settled); the transport stays usable. For an exit flush that ran out of time: a write
   * the receiver does not take would keep the process alive.
   */
  abort? (error: TransportError): void
  /**
   * Ends the connection: what is still being sent is abandoned (its sends reject), an idle
   * connection is ended gracefully within `graceMs` (0: at once).
   */
  close (graceMs?: number): Promise<void>
}

/** What a connection tells the pool on its own. */
export interface ConnectionHooks {
  /** The receiver stopped taking bytes for `timeoutMs` (`true`), or took some again (`false`). */
  onStall? (stalled: boolean): void
}

/** How long an idle connection is given to close gracefully when nobody said. */
export const DEFAULT_CLOSE_GRACE_MS = 1000
