import { CacheError } from '../../errors'
import { CacheFile } from './cache-file'
import { isDeadOwner } from './owner-id'
import { firstAfter, insertBySeq } from './insert-order'
import type { Claimed, FileState, FinalWrite, Reply, Settlement, ThreadOptions, WriteRequest } from './thread-protocol'
import type { RowStore } from './row-store'

/** The thread's start options (but the exit flag, which the thread's loop reads), and its report hook. */
export interface WriterOptions extends Omit<ThreadOptions, 'stop'> {
  /** Receives problems, already worded for the user; `dropped` counts events given up. */
  report: (code: string, message: string, dropped?: number) => void
  /** True once the process is exiting: no transaction may commit any more. */
  stopped: () => boolean
  /** Free dead claimers' rows on open and now and then (the thread does; the exit writer not). */
  recover: boolean
}

/** Thrown inside a transaction begun after the stop flag was set: it is rolled back. */
export class StoppedError extends Error {}

// Dead claimers and lapsed leases are looked for at most this often (and on open).
const RECOVERY_INTERVAL_MS = 1000

/**
 * The SQLite cache's writes, synchronous: one transaction per request. It runs in the
 * cache's thread, and on the main thread only for the last write on exit.
 */
export class ThreadWriter {
  readonly #options: WriterOptions
  readonly #file: CacheFile
  #unsettled: Settlement[] = []
  #nextRecoveryAt = 0
  /** Largest id when the file was opened: rows earlier runs left. */
  newestIdAtOpen = 0

  constructor (options: WriterOptions) {
    this.#options = options
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
   * One transaction (see `WriteRequest`); the bounds are enforced and dead claimers' rows
   * freed in it too. On failure the settlements are kept for the next write (the rows stay
   * claimed meanwhile, so a delivered batch is not sent again unless its lease runs out)
   * and a claim alone is still tried.
   */
  write ({ id, settlements, claimed, release, payload, renewLeases, take }: WriteRequest): Reply {
    const unsettled = this.#unsettled.concat(settlements)
    this.#unsettled = unsettled
    const store = this.#file.store()
    if (store === undefined) return this.#reply(id, { written: false })
    const n = claimed.times.length + payload.times.length
    const { owner, leaseMs, maxEvents, maxBytes } = this.#options
    const now = Date.now()
    try {
      const { lastId, rows, evicted } = this.#transaction(store, () => {
        this.#apply(store, unsettled)
        if (renewLeases) store.renewLeases(owner, now + leaseMs)
        // The rows `release` frees were written earlier: they keep their (older) ids.
        this.#apply(store, release)
        const lastId = insertBySeq(store, [
          { payload: claimed, from: 0, claims: { owner, claims: claimed.seqs, leaseUntil: now + leaseMs } },
          { payload, from: 0 }
        ])
        const evicted = store.evict(maxEvents, maxBytes)
        this.#recover(store, now)
        const rows = take === undefined ? undefined : this.#claim(store, take.claim, take.max, now)
        store.setLastRequest(owner, id)
        return { lastId, rows, evicted }
      })
      if (unsettled === this.#unsettled) this.#unsettled = []
      if (evicted > 0) {
        this.#options.report('LOGSTASH_DROPPED', `${evicted} events dropped: the SQLite cache ${this.#options.path} holds at most cache.maxEvents (${maxEvents})${maxBytes === undefined ? '' : ` events and cache.maxBytes (${maxBytes}) bytes`}; the oldest went first`, evicted)
      }
      return this.#reply(id, { written: true, lastId, claimed: rows })
    } catch (err) {
      if (err instanceof StoppedError) throw err
      const problem = this.#file.fail(err, n > 0 ? `cannot write ${n} events (they stay in memory)` : 'cannot update the file')
      if (problem.code === 'LOGSTASH_CACHE_FULL') this.#makeRoom(store)
      const rows = take !== undefined && this.#file.current === store ? this.#claimOnly(store, take.claim, take.max) : undefined
      return this.#reply(id, { written: false, claimed: rows })
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
    const { inFlight, unconfirmed, buffer, writtenUpTo, settlements } = final
    let lost = inFlight.times.length + buffer.times.length + (unconfirmed?.drained.times.length ?? 0)
    try {
      if (store === undefined) throw new CacheError('the file is not open')
      // Nothing to write, settle or free: no transaction (a read-only file stays quiet).
      if (lost === 0 && settlements.length === 0 && this.#unsettled.length === 0 && !store.holdsAnything(owner)) {
        this.#file.close(vacuum)
        return 0
      }
      store.write(() => {
        // Deletes first: a delivered batch must not be released and sent again.
        this.#apply(store, [...this.#unsettled, ...settlements])
        const committed = unconfirmed !== undefined && unconfirmed.id <= store.lastRequest(owner)
        const written = committed ? Math.max(writtenUpTo, unconfirmed.upTo) : writtenUpTo
        // Rows of writes not known to have committed: their events are written again below,
        // pending, those without a row, in the order they were logged.
        store.deleteClaimsAbove(owner, written)
        insertBySeq(store, [
          { payload: inFlight, from: firstAfter(inFlight, written) },
          ...(unconfirmed !== undefined && !committed ? [{ payload: unconfirmed.drained, from: firstAfter(unconfirmed.drained, writtenUpTo) }] : []),
          { payload: buffer, from: firstAfter(buffer, written) }
        ])
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

  #transaction<T> (store: RowStore, fn: () => T): T {
    return store.write(() => {
      // Checked inside the transaction, after the write lock is held: once the main thread
      // has set the flag and taken the lock for its last write, nothing here commits.
      if (this.#options.stopped()) throw new StoppedError('stopped')
      return fn()
    })
  }

  // The WAL only shrinks at a checkpoint, which SQLite runs by itself once it holds 1000
  // pages: on a small disk or under a file size limit it fills up first, and then no
  // write, not even the delete of a delivered batch, goes through. Empty it now.
  #makeRoom (store: RowStore): void {
    if (this.#file.current !== store) return
    try { store.checkpoint() } catch { /* no room for the checkpoint either: the next write tries again */ }
  }

  #claim (store: RowStore, claim: number, max: number, now: number): Claimed | undefined {
    const rows = store.claim(this.#options.owner, claim, now + this.#options.leaseMs, max)
    return rows.count === 0 ? undefined : { claim, events: rows.events }
  }

  // A full disk may still allow the small write a claim needs: older rows go out first.
  #claimOnly (store: RowStore, claim: number, max: number): Claimed | undefined {
    try {
      return this.#transaction(store, () => this.#claim(store, claim, max, Date.now()))
    } catch (err) {
      if (err instanceof StoppedError) throw err
      return undefined
    }
  }

  #apply (store: RowStore, settlements: readonly Settlement[]): void {
    const { owner } = this.#options
    for (const s of settlements) {
      if (s.generation !== this.#file.generation) continue
      if (s.kind === 'delete') {
        store.deleteClaims(owner, s.from, s.to)
      } else {
        if (s.delivered !== undefined && s.delivered > 0) store.deleteFirstClaimed(owner, s.from, s.delivered)
        store.releaseClaims(owner, s.from, s.to)
      }
    }
  }

  #recover (store: RowStore, now: number): void {
    if (!this.#options.recover || now < this.#nextRecoveryAt) return
    this.#nextRecoveryAt = now + RECOVERY_INTERVAL_MS
    const { owner } = this.#options
    store.recover(now, (other) => other !== owner && isDeadOwner(other))
  }

  #onOpen (store: RowStore): void {
    if (this.#options.recover) this.#recoverOnOpen(store)
    try { this.newestIdAtOpen = store.newestId() } catch { /* stays 0 */ }
  }

  #recoverOnOpen (store: RowStore): void {
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
