import { CacheError } from '../errors'
import { CacheFile } from './sqlite-file'
import { isDeadOwner } from './sqlite-owner'
import type { Claimed, EventsPayload, FileState, FinalWrite, Reply, Settlement } from './sqlite-protocol'
import type { SqliteStore } from './sqlite-store'

export interface WriterOptions {
  path: string
  owner: string
  maxEvents: number
  maxBytes: number | undefined
  leaseMs: number
  busyTimeoutMs: number
  /** Receives problems, already worded for the user; `dropped` counts events given up. */
  report: (code: string, message: string, dropped?: number) => void
  /** True once the process is exiting: no transaction may commit any more. */
  stopped: () => boolean
  /** Free dead claimers' rows on open and now and then (the thread does; the exit writer not). */
  recover: boolean
  /** Claims are numbered from here on. */
  firstClaim?: number
}

/** Thrown inside a transaction begun after the stop flag was set: it is rolled back. */
export class StoppedError extends Error {}

// Dead claimers and lapsed leases are looked for at most this often (and on open).
const RECOVERY_INTERVAL_MS = 1000

/**
 * The SQLite cache's writes, synchronous: one transaction per request. It runs in the
 * cache's thread, and on the main thread only for the last write on exit.
 */
export class SqliteWriter {
  readonly #options: WriterOptions
  readonly #file: CacheFile
  #unsettled: Settlement[] = []
  #claims = 0
  #nextRecoveryAt = 0
  /** Largest id when the file was opened: rows earlier runs left. */
  newestIdAtOpen = 0

  constructor (options: WriterOptions) {
    this.#options = options
    this.#claims = (options.firstClaim ?? 1) - 1
    this.#file = new CacheFile({
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs,
      report: (err) => options.report(err.code, err.message),
      onOpen: (store) => this.#onOpen(store),
      onReplaced: () => { this.#unsettled = []; this.#nextRecoveryAt = 0 }
    })
    this.#file.store()
  }

  state (): FileState {
    const store = this.#file.current
    const generation = this.#file.generation
    if (store === undefined) return { available: false, pending: 0, oldestId: undefined, generation }
    try {
      return { available: true, pending: store.pendingCount(), oldestId: store.oldestId(), generation }
    } catch {
      return { available: false, pending: 0, oldestId: undefined, generation }
    }
  }

  /**
   * One transaction: applies `settlements` (and those that failed before), appends
   * `payload`, enforces the bounds, frees dead claimers' rows, and claims up to `claimMax`
   * of the oldest pending rows. On failure the settlements are kept for the next write
   * (the rows stay claimed meanwhile, so a delivered batch is not sent again unless its
   * lease runs out) and a claim alone is still tried.
   */
  write (id: number, settlements: readonly Settlement[], payload: EventsPayload, claimMax: number): Reply {
    const unsettled = this.#unsettled.concat(settlements)
    this.#unsettled = unsettled
    const store = this.#file.store()
    if (store === undefined) return this.#reply(id, { written: false })
    const n = payload.times.length
    const { owner, leaseMs, maxEvents, maxBytes } = this.#options
    const now = Date.now()
    try {
      const { lastId, claimed, evicted } = this.#transaction(store, () => {
        this.#apply(store, unsettled)
        const claim = claimMax > 0 ? ++this.#claims : 0
        const mine = claimMax > 0 && this.#fitsClaimed(store, payload) ? Math.min(claimMax, n) : 0
        let claimed: Claimed | undefined
        let lastId = 0
        if (n > 0) {
          const inserted = store.insert(payload.packed, payload.times, mine, owner, claim, now + leaseMs)
          lastId = inserted.lastId
          if (mine > 0) claimed = { claim, mine, events: undefined, bytes: inserted.claimedBytes }
        }
        const evicted = store.evict(maxEvents, maxBytes)
        this.#recover(store, now)
        if (claimMax > 0 && mine === 0) {
          const rows = store.claim(owner, claim, now + leaseMs, claimMax)
          if (rows.count > 0) claimed = { claim, mine: 0, events: rows.events, bytes: rows.bytes }
        }
        store.setLastRequest(owner, id)
        return { lastId, claimed, evicted }
      })
      if (unsettled === this.#unsettled) this.#unsettled = []
      if (evicted > 0) {
        this.#options.report('LOGSTASH_DROPPED', `${evicted} events dropped: the SQLite cache ${this.#options.path} holds at most cache.maxEvents (${maxEvents})${maxBytes === undefined ? '' : ` events and cache.maxBytes (${maxBytes}) bytes`}; the oldest went first`, evicted)
      }
      return this.#reply(id, { written: true, lastId, claimed })
    } catch (err) {
      if (err instanceof StoppedError) throw err
      this.#file.fail(err, n > 0 ? `cannot write ${n} events (they stay in memory)` : 'cannot update the file')
      const claimed = claimMax > 0 && this.#file.current === store ? this.#claimOnly(store, claimMax) : undefined
      return this.#reply(id, { written: false, claimed })
    }
  }

  /** Deletes pending rows logged before `cutoff`. */
  expire (id: number, cutoff: number): Reply {
    const store = this.#file.store()
    let expired = 0
    try {
      if (store?.hasExpired(cutoff) === true) expired = this.#transaction(store, () => store.expire(cutoff))
    } catch (err) {
      if (err instanceof StoppedError) throw err
      this.#file.fail(err, 'cannot delete expired events')
    }
    return this.#reply(id, { expired })
  }

  /**
   * The last write (see `FinalWrite`), then the file is closed. Returns how many events could
   * not be written. Runs even after the stop flag: it is the write the flag makes room for.
   */
  final (final: FinalWrite, vacuum: boolean): number {
    const store = this.#file.store()
    const { owner, maxEvents, maxBytes } = this.#options
    let lost = final.memory.times.length
    for (const { payload } of final.unconfirmed) lost += payload.times.length
    try {
      if (store === undefined) throw new CacheError('the file is not open')
      // Nothing to write, settle or free: no transaction (a read-only file stays quiet).
      if (lost === 0 && final.settlements.length === 0 && this.#unsettled.length === 0 && !store.holdsAnything(owner)) {
        this.#file.close(vacuum)
        return 0
      }
      store.write(() => {
        const last = store.lastRequest(owner)
        for (const { id, payload } of final.unconfirmed) {
          if (id > last) store.insert(payload.packed, payload.times)
        }
        store.insert(final.memory.packed, final.memory.times)
        // Deletes first: a delivered batch must not be released and sent again.
        this.#apply(store, [...this.#unsettled, ...final.settlements])
        store.releaseOwner(owner)
        store.deleteWriter(owner)
        store.evict(maxEvents, maxBytes)
      })
      lost = 0
    } catch (err) {
      this.#file.fail(err, lost > 0
        ? `cannot write ${lost} events at close or exit`
        : 'cannot free the rows this process claimed at close or exit (they are sent again once their lease runs out)')
      if (lost > 0) this.#options.report('LOGSTASH_DROPPED', `${lost} events dropped: they could not be written to the SQLite cache ${this.#options.path} at close or exit`, lost)
    }
    this.#file.close(vacuum)
    return lost
  }

  #transaction<T> (store: SqliteStore, fn: () => T): T {
    return store.write(() => {
      // Checked inside the transaction, after the write lock is held: once the main thread
      // has set the flag and taken the lock for its last write, nothing here commits.
      if (this.#options.stopped()) throw new StoppedError('stopped')
      return fn()
    })
  }

  // Claimed rows cannot be dropped, so events go in claimed only when nothing older waits
  // and the bounds leave room for all of them.
  #fitsClaimed (store: SqliteStore, payload: EventsPayload): boolean {
    const n = payload.times.length
    if (n === 0 || store.hasPending()) return false
    const { maxEvents, maxBytes } = this.#options
    const totals = store.totals()
    return totals.events + n <= maxEvents && (maxBytes === undefined || totals.bytes + payload.packed.bytes.byteLength <= maxBytes)
  }

  // A full disk may still allow the small write a claim needs: older rows go out first.
  #claimOnly (store: SqliteStore, max: number): Claimed | undefined {
    try {
      const claim = ++this.#claims
      const rows = this.#transaction(store, () => store.claim(this.#options.owner, claim, Date.now() + this.#options.leaseMs, max))
      return rows.count === 0 ? undefined : { claim, mine: 0, events: rows.events, bytes: rows.bytes }
    } catch (err) {
      if (err instanceof StoppedError) throw err
      return undefined
    }
  }

  #apply (store: SqliteStore, settlements: readonly Settlement[]): void {
    const { owner } = this.#options
    for (const s of settlements) {
      if (s.generation !== this.#file.generation) continue
      if (s.kind === 'delete') store.deleteClaim(owner, s.claim, s.count, s.bytes)
      else store.releaseClaim(owner, s.claim)
    }
  }

  #recover (store: SqliteStore, now: number): void {
    if (!this.#options.recover || now < this.#nextRecoveryAt) return
    this.#nextRecoveryAt = now + RECOVERY_INTERVAL_MS
    const { owner } = this.#options
    store.recover(now, (other) => other !== owner && isDeadOwner(other))
  }

  #onOpen (store: SqliteStore): void {
    if (this.#options.recover) this.#recoverOnOpen(store)
    try { this.newestIdAtOpen = store.newestId() } catch { /* stays 0 */ }
  }

  #recoverOnOpen (store: SqliteStore): void {
    try {
      // Rows a crashed process left in flight are pending again before anything is sent.
      this.#transaction(store, () => this.#recover(store, Date.now()))
    } catch (err) {
      if (err instanceof StoppedError) return
      this.#file.fail(err, 'cannot free rows left in flight by a crashed process')
    }
  }

  #reply (id: number, fields: Omit<Reply, 'op' | 'id' | 'state'>): Reply {
    return { op: 'reply', id, state: this.state(), ...fields }
  }
}
