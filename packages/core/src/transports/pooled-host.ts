import { backoffDelay } from '../backoff'
import type { TransportError } from '../errors'
import type { PooledTransport } from './connection'

/**
 * What a host is doing, for `stats()`:
 * - `active`: batches go there;
 * - `standby`: healthy, or not tried yet, and not used (failover: an earlier host works);
 * - `down`: its last connection or send failed; tried again after its backoff;
 * - `stalled`: it took the connection but stopped reading (TCP) for `timeoutMs`: what was
 *   written to it waits there, new batches go elsewhere.
 */
export type HostState = 'active' | 'standby' | 'down' | 'stalled'

/** Figures of one host, since the handler started. */
export interface HostStats {
  /** `host:port` (IPv6 in brackets), or `custom` for a transport object of your own. */
  address: string
  state: HostState
  /** Events it delivered. */
  sent: number
  /** Sends (and connection attempts) that failed on it. */
  failedSends: number
  /** Events on their way to it now. */
  inFlight: number
  /** When it is tried again (epoch ms), while `down`. */
  retryAt: number | undefined
}

/** One connection to a host and the sends under way on it. */
export interface Lane {
  readonly host: PooledHost
  transport: PooledTransport
  /** Sends it takes at once: its transport's `maxConcurrentSends` (`pipelining` for the handler's own). */
  capacity: number
  /** Sends under way on it. */
  sends: number
  stalled: boolean
}

export interface Backoff {
  initialDelayMs: number
  maxDelayMs: number
  maxReconnectDelayMs: number
}

/**
 * One host of the pool: its connections (lanes), its own backoff and its figures. A host
 * that failed is `down` until `retryAt`; then it is tried again, by a connection attempt
 * when its transport can make one (no batch waits on it), else by one batch. Back from a
 * failure it takes one batch at a time until a send succeeds (half open), so that a host
 * that accepts connections but fails every send costs one batch per try, not `pipelining`.
 */
export class PooledHost {
  readonly address: string
  readonly lanes: Lane[] = []
  /** Failures in a row; the backoff grows with them. */
  failures = 0
  down = false
  retryAt = 0
  halfOpen = false
  probing = false
  sent = 0
  failedSends = 0
  inFlightEvents = 0
  readonly #backoff: Backoff

  constructor (address: string, backoff: Backoff) {
    this.address = address
    this.#backoff = backoff
  }

  get sends (): number {
    let n = 0
    for (const lane of this.lanes) n += lane.sends
    return n
  }

  /** True when every connection is stalled (a host with none under way is not). */
  get stalled (): boolean {
    return this.lanes.every((lane) => lane.stalled)
  }

  /** Healthy enough for a batch now (down hosts come back through a probe or a trial batch). */
  get usable (): boolean {
    return !this.down && !this.stalled
  }

  /** Whether its transport can be tried by connecting, without a batch. */
  get probeable (): boolean {
    return this.lanes[0]?.transport.connect !== undefined
  }

  /** Down and its backoff over. */
  due (now: number): boolean {
    return this.down && !this.probing && now >= this.retryAt
  }

  /** A connection of it that takes one more send now, if any; the least busy one. */
  freeLane (): Lane | undefined {
    if (this.halfOpen && this.sends > 0) return undefined
    let best: Lane | undefined
    for (const lane of this.lanes) {
      if (lane.stalled || lane.sends >= lane.capacity) continue
      if (best === undefined || lane.sends < best.sends) best = lane
    }
    return best
  }

  succeeded (events: number): void {
    this.sent += events
    this.failures = 0
    this.down = false
    this.halfOpen = false
  }

  /**
   * A send or connection attempt failed: down until the backoff is over. Sends that were
   * under way together and fail with it are one failure, not several.
   */
  failed (error: TransportError, now: number): void {
    this.failedSends++
    if (this.down && now < this.retryAt) return
    this.failures++
    this.down = true
    this.halfOpen = false
    const { initialDelayMs, maxDelayMs, maxReconnectDelayMs } = this.#backoff
    this.retryAt = now + backoffDelay(this.failures, { initialDelayMs, maxDelayMs: error.connectFailed ? maxReconnectDelayMs : maxDelayMs })
  }

  /** A connection attempt after the backoff worked: one batch may go (half open). */
  reachable (): void {
    this.down = false
    this.halfOpen = true
  }

  stats (active: boolean): HostStats {
    const state: HostState = this.down ? 'down' : this.stalled ? 'stalled' : active ? 'active' : 'standby'
    return { address: this.address, state, sent: this.sent, failedSends: this.failedSends, inFlight: this.inFlightEvents, retryAt: this.down ? this.retryAt : undefined }
  }
}
