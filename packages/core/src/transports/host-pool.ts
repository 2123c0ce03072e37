import { TransportError } from '../errors'
import type { CachedBatch, SendOutcome, Transport } from '../contracts'
import type { ConnectionHooks, PooledTransport } from './connection'
import { PooledHost, type Backoff, type HostStats, type Lane } from './pooled-host'

export interface HostPoolOptions {
  /** Spread batches over every healthy host (`true`), or one host at a time (failover). */
  loadBalance: boolean
  backoff: Backoff
}

/** One host, as `createTransport` describes it. */
export interface HostSpec {
  address: string
  /** How many connections (`workers`). */
  connections: number
  /** Opens one connection's transport; `hooks` tell the pool what it sees. */
  create: (hooks: ConnectionHooks) => PooledTransport
}

/**
 * The hosts a handler sends to, and which connection gets the next batch.
 *
 * - Failover (default): the first usable host in order gets every batch (over its
 *   `workers` connections, `pipelining` each); when it fails the next one does, at once;
 *   the first is tried again after its backoff and takes over again once it delivers.
 * - Load balancing: batches go round robin over the usable hosts' connections.
 *
 * Each host backs off on its own (see `PooledHost`). The pool only keeps state and picks;
 * the worker owns the timers, the cache and the retries. It is a `Transport` too, for the
 * synchronous handler: `send()` tries the hosts in turn, once each.
 */
export class HostPool implements Transport {
  readonly #hosts: PooledHost[]
  readonly #loadBalance: boolean
  /** Called when a host became usable again or its state changed: the worker looks for work. */
  onChange: () => void = () => {}
  /** Connection attempts to hosts that were down which failed (sends that failed are the worker's to count). */
  failedProbes = 0
  #next = 0
  #closed = false

  constructor (specs: readonly HostSpec[], options: HostPoolOptions) {
    this.#loadBalance = options.loadBalance
    this.#hosts = specs.map((spec) => {
      const host = new PooledHost(spec.address, options.backoff)
      for (let i = 0; i < spec.connections; i++) {
        const lane: Lane = { host, transport: undefined as unknown as PooledTransport, capacity: 1, sends: 0, stalled: false }
        lane.transport = spec.create({ onStall: (stalled) => this.setStalled(lane, stalled) })
        lane.capacity = lane.transport.maxConcurrentSends ?? 1
        host.lanes.push(lane)
      }
      return host
    })
  }

  /** Sends under way, on every host. */
  get sends (): number {
    let n = 0
    for (const host of this.#hosts) n += host.sends
    return n
  }

  /** Writes the kernel has not fully taken: each keeps the event loop alive. */
  get pendingWrites (): number {
    let n = 0
    for (const host of this.#hosts) for (const lane of host.lanes) n += lane.transport.pendingWrites ?? 0
    return n
  }

  /** A connection's receiver stopped (or started again) taking bytes. */
  setStalled (lane: Lane, stalled: boolean): void {
    if (lane.stalled === stalled) return
    lane.stalled = stalled
    this.onChange()
  }

  /**
   * The connection the next batch goes to, if one may take it now. Also starts connection
   * attempts to hosts whose backoff is over: a host that may be down never holds a batch
   * while another works.
   */
  pick (now = Date.now()): Lane | undefined {
    if (this.#closed) return undefined
    const order = this.#order()
    for (const host of this.#wanted(order)) {
      if (!host.due(now)) continue
      // A transport that cannot connect without sending (udp, your own) gets one batch as a trial.
      if (host.probeable) this.#probe(host); else host.reachable()
    }
    for (const host of order) {
      if (!host.usable) continue
      const lane = host.freeLane()
      if (lane !== undefined) {
        if (this.#loadBalance) this.#next = (this.#hosts.indexOf(host) + 1) % this.#hosts.length
        return lane
      }
      // Failover: one host at a time, even when its connections are busy.
      if (!this.#loadBalance) return undefined
    }
    return undefined
  }

  /** Sends on a lane `pick()` returned; keeps the host's figures and state. */
  sendOn (lane: Lane, batch: CachedBatch): Promise<void | SendOutcome> {
    const count = batch.count ?? batch.events.length
    lane.sends++
    lane.host.inFlightEvents += count
    let sending: Promise<void | SendOutcome>
    try {
      const { transport } = lane
      const { bytes } = batch
      sending = bytes !== undefined && transport.sendBytes !== undefined ? transport.sendBytes(bytes) : transport.send(batch.events)
    } catch (err) {
      sending = Promise.reject(err)
    }
    return this.#settle(lane, count, sending)
  }

  // Not part of sendOn(): an async function keeps its arguments until it returns, and the
  // events would then live as long as the send, through garbage collections that copy them
  // (the transport has encoded them by now, or holds them itself).
  async #settle (lane: Lane, count: number, sending: Promise<void | SendOutcome>): Promise<void | SendOutcome> {
    const { host } = lane
    try {
      const outcome = await sending
      host.succeeded(count - (outcome?.dropped ?? 0))
      return outcome
    } catch (err) {
      if (err instanceof TransportError && !err.retryable) {
        host.succeeded(0)
      } else {
        host.sent += err instanceof TransportError ? (err.settled?.count ?? 0) - (err.settled?.dropped ?? 0) : 0
        host.failed(err instanceof TransportError ? err : new TransportError(String(err), { retryable: true }), Date.now())
        this.onChange()
      }
      throw err
    } finally {
      lane.sends--
      host.inFlightEvents -= count
    }
  }

  /**
   * When the next host that is down may be tried, if no attempt is under way; else
   * `undefined`. Only hosts `pick()` would try count: in failover, a host behind the one in
   * use waits until it is needed. So when this time has come, the next `pick()` tries it.
   */
  nextRetryAt (): number | undefined {
    let at: number | undefined
    for (const host of this.#hosts) if (host.probing) return undefined
    for (const host of this.#wanted(this.#order())) {
      if (host.down && (at === undefined || host.retryAt < at)) at = host.retryAt
    }
    return at
  }

  /** Ends every host's backoff now (a flush asks to try at once); failures in a row still count. */
  retryNow (now = Date.now()): void {
    for (const host of this.#hosts) if (host.down && host.retryAt > now) host.retryAt = now
  }

  /** The synchronous handler's send: each host in turn, once, until one delivers. */
  async send (events: readonly string[]): Promise<void | SendOutcome> {
    let done = 0
    let lastError: TransportError | undefined
    for (const host of this.#order()) {
      const lane = host.lanes[0] as Lane
      try {
        const outcome = await this.sendOn(lane, { events: done === 0 ? events : events.slice(done) })
        return outcome
      } catch (err) {
        if (!(err instanceof TransportError) || !err.retryable) throw err
        done += err.settled?.count ?? 0
        lastError = err
      }
    }
    throw lastError ?? new TransportError('no host to send to', { retryable: true })
  }

  /** Abandons every send under way (exit flush out of time); the connections stay usable. */
  abort (error: TransportError): void {
    for (const host of this.#hosts) for (const lane of host.lanes) lane.transport.abort?.(error)
  }

  /** Closes every connection; idle ones gracefully within `graceMs`. */
  async close (graceMs?: number): Promise<void> {
    this.#closed = true
    await Promise.all(this.#hosts.flatMap((host) => host.lanes.map((lane) => lane.transport.close(graceMs))))
  }

  stats (): HostStats[] {
    const order = this.#order()
    const active = order.find((host) => host.usable)
    return this.#hosts.map((host) => host.stats(host.usable && (this.#loadBalance || host === active)))
  }

  // The hosts worth trying when their backoff is over: with load balancing every one; in
  // failover those before the first usable host (all of them when none is).
  #wanted (order: PooledHost[]): PooledHost[] {
    if (this.#loadBalance) return order
    const active = order.findIndex((host) => host.usable)
    return active === -1 ? order : order.slice(0, active)
  }

  // Failover: in the order given. Load balancing: round robin from the host after the last one used.
  #order (): PooledHost[] {
    if (!this.#loadBalance || this.#next === 0) return this.#hosts
    return [...this.#hosts.slice(this.#next), ...this.#hosts.slice(0, this.#next)]
  }

  #probe (host: PooledHost): void {
    host.probing = true
    const transport = (host.lanes[0] as Lane).transport
    ;(transport.connect as () => Promise<void>).call(transport).then(() => {
      host.probing = false
      if (host.down) host.reachable()
      this.onChange()
    }, (err: unknown) => {
      host.probing = false
      this.failedProbes++
      host.failed(err instanceof TransportError ? err : new TransportError(String(err), { retryable: true, connectFailed: true }), Date.now())
      this.onChange()
    })
  }
}
