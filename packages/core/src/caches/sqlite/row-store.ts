import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { packBytes, slice, type PackedEvents } from './event-packing'
import { rollback } from './schema'

/** Rows claimed by one `claim()`: the events in id order, packed. */
export interface ClaimedRows {
  events: PackedEvents
  count: number
}

/** Rows inserted claimed by `owner`, each with its own claim number (the event's sequence number). */
export interface RowClaims {
  owner: string
  claims: Float64Array
  leaseUntil: number
}

interface Statements {
  insert: StatementSync
  insertChunk: StatementSync
  insertClaimed: StatementSync
  insertClaimedChunk: StatementSync
  setLastRequest: StatementSync
  lastRequest: StatementSync
  deleteWriter: StatementSync
  writerOwners: StatementSync
  ownerRow: StatementSync
  addTotals: StatementSync
  setTotals: StatementSync
  totals: StatementSync
  claimedCount: StatementSync
  oldestPending: StatementSync
  claimRange: StatementSync
  deleteClaims: StatementSync
  releaseClaims: StatementSync
  deleteFirstClaimed: StatementSync
  deleteClaimsAbove: StatementSync
  renewLeases: StatementSync
  releaseOwner: StatementSync
  releaseExpired: StatementSync
  claimOwners: StatementSync
  pendingSizes: StatementSync
  deletePendingThrough: StatementSync
  anyExpired: StatementSync
  expiredTotals: StatementSync
  deleteExpired: StatementSync
  oldestId: StatementSync
  newestId: StatementSync
}

const RELEASED = 'owner = NULL, claim = NULL, lease_until = NULL'
// Rows per multi-row INSERT: one call into SQLite per chunk instead of per row.
const CHUNK = 50

/**
 * The SQL side of the SQLite cache: synchronous, throws what `node:sqlite` throws, and
 * keeps the `totals` row in step with every insert and delete it makes. Callers wrap
 * related calls in one `write()` transaction.
 */
export class RowStore {
  readonly #db: DatabaseSync
  readonly #sql: Statements

  constructor (db: DatabaseSync) {
    this.#db = db
    const prepare = (sql: string): StatementSync => db.prepare(sql)
    this.#sql = {
      insert: prepare('INSERT INTO events (time, size, event) VALUES (?, ?, ?)'),
      insertChunk: prepare('INSERT INTO events (time, size, event) VALUES ' + new Array(CHUNK).fill('(?, ?, ?)').join(', ')),
      insertClaimed: prepare('INSERT INTO events (time, size, owner, claim, lease_until, event) VALUES (?, ?, ?, ?, ?, ?)'),
      insertClaimedChunk: prepare('INSERT INTO events (time, size, owner, claim, lease_until, event) VALUES ' + new Array(CHUNK).fill('(?, ?, ?, ?, ?, ?)').join(', ')),
      setLastRequest: prepare('INSERT INTO writers (owner, last_request) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET last_request = excluded.last_request'),
      lastRequest: prepare('SELECT last_request FROM writers WHERE owner = ?'),
      deleteWriter: prepare('DELETE FROM writers WHERE owner = ?'),
      writerOwners: prepare('SELECT owner FROM writers'),
      ownerRow: prepare('SELECT 1 AS found FROM events WHERE owner = ? LIMIT 1'),
      addTotals: prepare('UPDATE totals SET events = events + ?, bytes = bytes + ? WHERE id = 1'),
      setTotals: prepare('UPDATE totals SET events = ?, bytes = ? WHERE id = 1'),
      totals: prepare('SELECT events, bytes FROM totals WHERE id = 1'),
      claimedCount: prepare('SELECT count(*) AS n FROM events WHERE owner IS NOT NULL'),
      oldestPending: prepare('SELECT id, event FROM events WHERE owner IS NULL ORDER BY id LIMIT ?'),
      claimRange: prepare('UPDATE events SET owner = ?, claim = ?, lease_until = ? WHERE owner IS NULL AND id BETWEEN ? AND ?'),
      deleteClaims: prepare('DELETE FROM events WHERE owner = ? AND claim BETWEEN ? AND ? RETURNING size'),
      releaseClaims: prepare(`UPDATE events SET ${RELEASED} WHERE owner = ? AND claim BETWEEN ? AND ?`),
      deleteFirstClaimed: prepare('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE owner = ? AND claim = ? ORDER BY id LIMIT ?) RETURNING size'),
      deleteClaimsAbove: prepare('DELETE FROM events WHERE owner = ? AND claim > ? RETURNING size'),
      renewLeases: prepare('UPDATE events SET lease_until = ? WHERE owner = ? AND claim > 0'),
      releaseOwner: prepare(`UPDATE events SET ${RELEASED} WHERE owner = ?`),
      releaseExpired: prepare(`UPDATE events SET ${RELEASED} WHERE owner IS NOT NULL AND lease_until < ?`),
      claimOwners: prepare('SELECT DISTINCT owner FROM events WHERE owner IS NOT NULL'),
      pendingSizes: prepare('SELECT id, size FROM events WHERE owner IS NULL AND id > ? ORDER BY id LIMIT 1000'),
      deletePendingThrough: prepare('DELETE FROM events WHERE owner IS NULL AND id <= ?'),
      anyExpired: prepare('SELECT 1 AS found FROM events WHERE owner IS NULL AND time < ? LIMIT 1'),
      expiredTotals: prepare('SELECT count(*) AS events, total(size) AS bytes FROM events WHERE owner IS NULL AND time < ?'),
      deleteExpired: prepare('DELETE FROM events WHERE owner IS NULL AND time < ?'),
      oldestId: prepare('SELECT min(id) AS id FROM events'),
      newestId: prepare('SELECT max(id) AS id FROM events')
    }
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken first, so two processes
   * never deadlock upgrading a read), rolled back if anything throws.
   */
  write<T> (fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE')
    try {
      const result = fn()
      this.#db.exec('COMMIT')
      return result
    } catch (err) {
      rollback(this.#db)
      throw err
    }
  }

  /**
   * Appends events `from` to `to` (exclusive) of `events` (oldest first), pending, or claimed
   * (events still in the sender's memory, which no other sender may take); returns the id of
   * the last one (0 when there are none).
   */
  insert (events: PackedEvents, times: Float64Array, claims?: RowClaims, from = 0, to = events.ends.length): { lastId: number } {
    const n = to - from
    if (n <= 0) return { lastId: 0 }
    const chunk = claims === undefined ? this.#sql.insertChunk : this.#sql.insertClaimedChunk
    const single = claims === undefined ? this.#sql.insert : this.#sql.insertClaimed
    const { ends } = events
    const row = (i: number, args: (string | number | Uint8Array)[]): void => {
      const start = i === 0 ? 0 : ends[i - 1] as number
      args.push(times[i] as number, (ends[i] as number) - start)
      if (claims !== undefined) args.push(claims.owner, claims.claims[i] as number, claims.leaseUntil)
      args.push(slice(events, i))
    }
    let lastId = 0
    let i = from
    for (; i + CHUNK <= to; i += CHUNK) {
      const args: (string | number | Uint8Array)[] = []
      for (let j = i; j < i + CHUNK; j++) row(j, args)
      lastId = Number(chunk.run(...args).lastInsertRowid)
    }
    for (; i < to; i++) {
      const args: (string | number | Uint8Array)[] = []
      row(i, args)
      lastId = Number(single.run(...args).lastInsertRowid)
    }
    this.#sql.addTotals.run(n, (ends[to - 1] as number) - (from === 0 ? 0 : ends[from - 1] as number))
    return { lastId }
  }

  /** Records, in the same transaction, the last write request of `owner` that is in the file. */
  setLastRequest (owner: string, request: number): void {
    this.#sql.setLastRequest.run(owner, request)
  }

  lastRequest (owner: string): number {
    const row = this.#sql.lastRequest.get(owner) as { last_request: number } | undefined
    return row?.last_request ?? 0
  }

  deleteWriter (owner: string): void {
    this.#sql.deleteWriter.run(owner)
  }

  /** Whether `owner` claims any row or has a `writers` row: something to clean up at close. */
  holdsAnything (owner: string): boolean {
    return this.#sql.ownerRow.get(owner) !== undefined || this.#sql.lastRequest.get(owner) !== undefined
  }

  /** Marks up to `max` of the oldest pending rows as taken by `owner`'s `claim`. */
  claim (owner: string, claim: number, leaseUntil: number, max: number): ClaimedRows {
    const rows = this.#sql.oldestPending.all(max) as unknown as { id: number, event: Uint8Array | string }[]
    // A row written as text (by hand, or by another tool) is taken as it is.
    const events = packBytes(rows.map((row) => typeof row.event === 'string' ? Buffer.from(row.event) : row.event))
    // The first `max` pending rows by id are exactly the pending rows between the first and
    // the last of them: one range update, whatever other senders hold in between.
    if (rows.length > 0) this.#sql.claimRange.run(owner, claim, leaseUntil, (rows[0] as { id: number }).id, (rows[rows.length - 1] as { id: number }).id)
    return { events, count: rows.length }
  }

  /** Deletes `owner`'s rows with a claim in `from..to`; returns how many. */
  deleteClaims (owner: string, from: number, to: number): number {
    return this.#deleted(this.#sql.deleteClaims.all(owner, from, to))
  }

  /** Puts `owner`'s rows with a claim in `from..to` back to pending, ahead of newer rows (they keep their ids). */
  releaseClaims (owner: string, from: number, to: number): number {
    return Number(this.#sql.releaseClaims.run(owner, from, to).changes)
  }

  /** Deletes the first `count` rows (by id, the order they were claimed in) that `owner` holds under `claim`. */
  deleteFirstClaimed (owner: string, claim: number, count: number): number {
    return this.#deleted(this.#sql.deleteFirstClaimed.all(owner, claim, count))
  }

  /** Deletes `owner`'s rows written from memory with a sequence number above `seq`. */
  deleteClaimsAbove (owner: string, seq: number): number {
    return this.#deleted(this.#sql.deleteClaimsAbove.all(owner, seq))
  }

  /** Extends the lease of every row `owner` wrote from memory and still holds. */
  renewLeases (owner: string, leaseUntil: number): void {
    this.#sql.renewLeases.run(leaseUntil, owner)
  }

  // Keeps the totals row in step with rows a `RETURNING size` delete removed.
  #deleted (rows: unknown[]): number {
    if (rows.length === 0) return 0
    let bytes = 0
    for (const row of rows as { size: number }[]) bytes += row.size
    this.#sql.addTotals.run(-rows.length, -bytes)
    return rows.length
  }

  /** Puts every row an owner holds back to pending. */
  releaseOwner (owner: string): number {
    return Number(this.#sql.releaseOwner.run(owner).changes)
  }

  /** Frees rows whose lease ran out and rows of owners `isDead` says are gone. */
  recover (now: number, isDead: (owner: string) => boolean): number {
    let released = Number(this.#sql.releaseExpired.run(now).changes)
    const owners = new Set<string>()
    for (const row of this.#sql.claimOwners.all() as unknown as { owner: string }[]) owners.add(row.owner)
    for (const row of this.#sql.writerOwners.all() as unknown as { owner: string }[]) owners.add(row.owner)
    for (const owner of owners) {
      if (!isDead(owner)) continue
      released += this.releaseOwner(owner)
      this.deleteWriter(owner)
    }
    return released
  }

  /** Deletes the oldest pending rows until the file is within both bounds; returns how many. */
  evict (maxEvents: number, maxBytes: number | undefined): number {
    const totals = this.totals()
    const overEvents = totals.events - maxEvents
    const overBytes = maxBytes === undefined ? 0 : totals.bytes - maxBytes
    if (overEvents <= 0 && overBytes <= 0) return 0
    let count = 0
    let bytes = 0
    let lastId = -1
    // Read in chunks (StatementSync.iterate() is younger than Node.js 22.13).
    scan: for (;;) {
      const rows = this.#sql.pendingSizes.all(lastId) as unknown as { id: number, size: number }[]
      for (const row of rows) {
        count++
        bytes += row.size
        lastId = row.id
        if (count >= overEvents && bytes >= overBytes) break scan
      }
      if (rows.length < 1000) break
    }
    if (count === 0) return 0
    this.#sql.deletePendingThrough.run(lastId)
    this.#sql.addTotals.run(-count, -bytes)
    return count
  }

  /** Whether a pending row was logged before `cutoff`: a read through the index, no write lock. */
  hasExpired (cutoff: number): boolean {
    return this.#sql.anyExpired.get(cutoff) !== undefined
  }

  /** Deletes pending rows logged before `cutoff` (ms); returns how many. */
  expire (cutoff: number): number {
    const { events, bytes } = this.#sql.expiredTotals.get(cutoff) as { events: number, bytes: number }
    if (events === 0) return 0
    this.#sql.deleteExpired.run(cutoff)
    this.#sql.addTotals.run(-events, -bytes)
    return events
  }

  /** Rows waiting to be taken, by any process: the totals row minus the (few) claimed rows. */
  pendingCount (): number {
    const { n } = this.#sql.claimedCount.get() as { n: number }
    return Math.max(0, this.totals().events - n)
  }

  /** The smallest id left in the file, or `undefined` when it is empty. */
  oldestId (): number | undefined {
    const row = this.#sql.oldestId.get() as { id: number | null } | undefined
    return row?.id ?? undefined
  }

  /** The largest id in the file, or 0 when it is empty. */
  newestId (): number {
    const row = this.#sql.newestId.get() as { id: number | null } | undefined
    return row?.id ?? 0
  }

  /** How long a statement waits for another connection's lock. */
  setBusyTimeout (ms: number): void {
    this.#db.exec(`PRAGMA busy_timeout = ${ms}`)
  }

  totals (): { events: number, bytes: number } {
    return (this.#sql.totals.get() as { events: number, bytes: number } | undefined) ?? { events: 0, bytes: 0 }
  }

  /** Copies the WAL into the file and empties it: after a write failed for lack of space, room for the next (deletes free space). */
  checkpoint (): void {
    this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  }

  vacuum (): void {
    this.#db.exec('VACUUM')
  }

  close (): void {
    this.#db.close()
  }
}
