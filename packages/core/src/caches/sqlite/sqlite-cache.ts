import { existsSync } from 'node:fs'
import { CacheError, DroppedEventsError, type LogstashError } from '../../errors'
import { EMPTY_BATCH, FileBatch, MemoryBatch, type FlushMark } from './batches'
import { MemoryBuffer, seqRuns } from './memory-buffer'
import { ThreadClient } from './thread-client'
import { transferList } from './event-packing'
import { InFlightBatches } from './in-flight-batches'
import { newOwnerId } from './owner-id'
import type { FinalWrite, Ready, Report, ThreadOptions } from './thread-protocol'
import { loadSqlite } from './schema'
import { FileStatus } from './file-status'
import { ThreadWriter } from './thread-writer'
import { PersistQueue } from './persist-queue'
import type { Cache, CacheCounts, CachedBatch, CacheHooks } from '../../contracts'

/** Options of `SqliteCache`, resolved: the handler fills them from `databasePath`, `cache` and `sqlite`. */
export interface SqliteCacheOptions {
  /** The database file; created when missing (its directory must exist). */
  path: string
  /** Most events in the file (all processes), and in memory; over it the oldest pending are dropped and counted. */
  maxEvents: number
  /** Most bytes (UTF-8) of events in the file, and in memory; `undefined`: no byte bound. */
  maxBytes: number | undefined
  /** How long rows this cache holds (on the wire, or written while still in its memory) stay its own unless it renews them; a sender that died on another machine frees its rows after this. */
  leaseMs: number
  /** Longest wait for another connection's lock (in the cache's thread). */
  busyTimeoutMs: number
  /** Run `VACUUM` on close, giving the space of delivered events back to the file system. */
  vacuum: boolean
}

// The last write, on exit, waits longer for a lock: nothing retries after it.
const EXIT_BUSY_TIMEOUT_MS = 5000
// Problems found before the handler attached its onError wait, up to this many.
const EARLY_REPORTS = 20

/**
 * A cache in a SQLite file (`node:sqlite`, WAL), so events survive restarts and crashes.
 *
 * Write-behind: `add()` appends to memory and events are sent from there, so one delivered
 * before the next persist tick never touches the file. At each tick (the worker's
 * `persist()`, about every flush interval) what is still undelivered is written in one
 * transaction, by the cache's own thread (no SQL runs on the application's thread): while
 * sends succeed, as rows claimed by this cache (claim = the event's sequence number), which
 * it goes on sending from memory and deletes once delivered; otherwise, and after a failed
 * send, as pending rows any process may send, and memory is emptied into the file. Rows
 * pending in the file are older than what memory holds, so they are sent first. On exit
 * the main thread writes what is left itself.
 *
 * Several processes may share the file: a sender claims rows (owner, claim, lease) and
 * deletes only its own claims. When the file cannot be used, events wait in memory
 * (bounded) and are sent from there; each problem goes to `onError`, never to the caller.
 */
export class SqliteCache implements Cache {
  readonly persistent = true
  readonly path: string
  readonly #vacuum: boolean
  readonly #threadOptions: ThreadOptions
  readonly #buffer: MemoryBuffer
  readonly #inFlight = new InFlightBatches()
  readonly #status: FileStatus
  readonly #client: ThreadClient
  readonly #writes: PersistQueue
  /** A batch was delivered since the last tick: the tick keeps what waits in memory. */
  #delivered = false
  #pendingAtOpen = false
  #hooks: CacheHooks | undefined
  #early: LogstashError[] = []
  #dropped = 0
  #expired = 0
  #closed = false

  constructor (options: SqliteCacheOptions) {
    // Throws the ConfigurationError naming the Node.js version needed, before anything starts.
    loadSqlite()
    // Validated once, with the handler's options (normalizeOptions).
    const { path, maxEvents, maxBytes, leaseMs, busyTimeoutMs } = options
    this.path = path
    this.#vacuum = options.vacuum
    this.#threadOptions = { path, owner: newOwnerId(), maxEvents, maxBytes, leaseMs, busyTimeoutMs, stop: new SharedArrayBuffer(4) }
    this.#buffer = new MemoryBuffer(maxEvents, maxBytes)
    // No file yet: no earlier run left rows, so sending need not wait for the thread to start.
    // A replaced (corrupt) file took every row along: what memory holds is unwritten again.
    this.#status = new FileStatus(!existsSync(this.path), () => { this.#writes.writtenUpTo = 0 })
    this.#client = new ThreadClient(this.#threadOptions, (message) => this.#onMessage(message))
    this.#writes = new PersistQueue({
      buffer: this.#buffer,
      inFlight: this.#inFlight,
      client: this.#client,
      status: this.#status,
      path: this.path,
      leaseMs: this.#threadOptions.leaseMs,
      report: (err) => this.#report(err)
    })
  }

  attach (hooks: CacheHooks): void {
    this.#hooks = hooks
    for (const err of this.#early.splice(0)) hooks.onError(err)
    if (this.#pendingAtOpen) hooks.onPending?.()
  }

  /** The log call's part: append to memory, nothing else. Never throws. */
  add (event: string, time: number): void {
    if (this.#closed) { this.#dropped++; return }
    this.#buffer.add(event, time)
  }

  /**
   * The persist tick. Resolves whether another is needed without new events: some are only
   * in memory (the write failed), or memory holds rows of this cache, whose leases must be
   * renewed in time and which go to the file for any sender when this one stops delivering.
   */
  async persist (): Promise<boolean> {
    if (this.#closed) return false
    // Memory is kept (written claimed) only while this cache delivers.
    const delivering = this.#delivered
    this.#delivered = false
    if (this.#writes.settlements.length > 0 || this.#buffer.length > 0 || this.#inFlight.holdsAfter(this.#writes.writtenUpTo)) await this.#writes.move(!delivering)
    return !this.#closed && (this.#writes.holdsUnwritten() || this.#writes.keepsRows())
  }

  /** Rows pending in the file first (they are older), else straight from memory, without SQL. */
  async take (max: number): Promise<CachedBatch> {
    for (;;) {
      if (this.#closed) return EMPTY_BATCH
      while (this.#writes.draining !== undefined) await this.#writes.draining
      // Whether rows wait in the file (left by another process or an earlier run) is known
      // from the last reply, and asked anew when memory holds nothing to send.
      if (this.#status.known && this.#status.state.pending === 0 && this.#buffer.length > 0) break
      const batch = await this.#writes.takeFromFile(max)
      if (batch !== undefined) return this.#inFlight.track(batch)
      // Nothing to claim (or the file cannot be used): memory, unless a move is emptying it.
      if (this.#writes.draining === undefined) break
    }
    const drops = this.#buffer.takeDropReport(this.path)
    if (drops !== undefined) this.#report(drops)
    if (this.#buffer.length === 0) return EMPTY_BATCH
    return this.#inFlight.track(this.#buffer.takeBatch(max))
  }

  /** Delivered. A batch that never reached the file needs no SQL; rows are deleted with the next write. */
  async ack (batch: CachedBatch): Promise<void> {
    if (!this.#inFlight.untrack(batch)) return
    this.#delivered = true
    if (batch instanceof FileBatch) {
      this.#writes.deleteSoon(batch.claim, batch.claim, batch.generation)
      return
    }
    // Written, or maybe being written: deleting rows that never went in deletes nothing.
    this.#deleteRows(batch, batch.events.length)
  }

  /**
   * A failed send: the batch is pending again, ahead of newer events, and since what waits
   * will now wait a while, everything undelivered goes to the file before this resolves.
   * Its first `delivered` events did arrive: they are settled like an acknowledged batch.
   */
  async release (batch: CachedBatch, delivered = 0): Promise<void> {
    if (!this.#inFlight.untrack(batch)) return
    const done = Math.min(Math.max(0, Math.floor(delivered)), batch.events.length)
    if (done > 0) this.#delivered = true
    if (batch instanceof FileBatch) {
      this.#writes.settlements.add('release', batch.claim, batch.claim, batch.generation, batch.events.slice(done), done)
    } else {
      this.#deleteRows(batch, done)
      this.#buffer.restore(batch, done)
    }
    await this.#writes.move(true)
  }

  async expire (ttlMs: number): Promise<number> {
    const cutoff = Date.now() - ttlMs
    let count = this.#buffer.expire(cutoff)
    const reply = await this.#client.call({ op: 'expire', id: this.#client.newId(), cutoff })
    if (reply !== undefined) {
      this.#status.update(reply.state)
      count += reply.expired ?? 0
    }
    this.#expired += count
    return count
  }

  /** Asks the file's state anew: what other processes sharing it took or delivered. */
  async refresh (): Promise<void> {
    if (this.#closed) return
    const reply = await this.#client.call({ op: 'state', id: this.#client.newId() })
    if (reply !== undefined) this.#status.update(reply.state)
  }

  /** Memory plus the file's pending rows (of every process), as of the last reply. */
  pendingCount (): number {
    return this.#buffer.length + this.#writes.inTransit.events.length + this.#status.state.pending
  }

  counts (): CacheCounts {
    return { pending: this.pendingCount(), inFlight: this.#inFlight.events, dropped: this.#dropped + this.#buffer.dropped, expired: this.#expired }
  }

  flushMark (): FlushMark {
    return this.#status.mark(this.#buffer.seq)
  }

  isFlushed (mark: unknown): boolean {
    const { seq, id } = mark as FlushMark
    if (!this.#status.ready || this.#buffer.holdsUpTo(seq) || this.#inFlight.holdsUpTo(seq)) return false
    if ((this.#writes.inTransit.seqs[0] ?? Infinity) <= seq) return false
    return this.#status.clearedUpTo(id)
  }

  /** Writes what memory holds and frees this cache's claims; undelivered rows stay in the file. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#writes.stop()
    await this.#writes.idle()
    const final = this.#writes.finalWrite()
    const reply = await this.#client.call({ op: 'close', id: this.#client.newId(), final, vacuum: this.#vacuum }, finalTransferList(final))
    const left = final.inFlight.times.length + final.buffer.times.length
    if (reply === undefined && left > 0) this.#countDrops(left, `the SQLite cache ${this.path} could not be written at close`)
    await this.#client.terminate()
  }

  /**
   * On process `exit`: no await is possible and the thread may be mid-transaction. Stop
   * it from committing anything more, then write, on a connection of this thread, what
   * memory holds and what the thread did not confirm; free this cache's claims.
   */
  persistSync (): void {
    if (this.#closed) return
    this.#closed = true
    this.#writes.stop()
    const final = this.#writes.finalWrite()
    const memory = final.inFlight.times.length + final.buffer.times.length
    if (memory === 0 && final.unconfirmed === undefined && final.settlements.length === 0 && this.#inFlight.size === 0) return
    Atomics.store(new Int32Array(this.#threadOptions.stop), 0, 1)
    const writer = new ThreadWriter({
      ...this.#threadOptions,
      busyTimeoutMs: Math.max(this.#threadOptions.busyTimeoutMs, EXIT_BUSY_TIMEOUT_MS),
      report: (code, message) => this.#report(new CacheError(message, { code })),
      stopped: () => false,
      recover: false
    })
    this.#dropped += writer.final(final, false)
  }

  // The rows of the first `count` events of a batch from memory, if any were written: run
  // by run (see seqRuns), so that no row of another batch on the wire goes along.
  #deleteRows (batch: MemoryBatch, count: number): void {
    if (count === 0 || (batch.seqs[0] as number) > this.#writes.claimedUpTo) return
    for (const { from, to } of seqRuns(batch.seqs, 0, count)) this.#writes.deleteSoon(from, to, this.#status.state.generation)
  }

  #onMessage (message: Ready | Report): void {
    if (message.op === 'report') {
      if (message.dropped === undefined) {
        this.#report(new CacheError(message.message, { code: message.code }))
      } else {
        this.#dropped += message.dropped
        this.#report(new DroppedEventsError(message.message, message.dropped, { code: message.code }))
      }
      return
    }
    this.#status.opened(message.state, message.newestId)
    if (message.state.pending > 0) {
      this.#pendingAtOpen = true
      this.#hooks?.onPending?.()
    }
  }

  #countDrops (n: number, why: string): void {
    this.#dropped += n
    this.#report(new DroppedEventsError(`${n} events dropped: ${why}`, n))
  }

  #report (err: LogstashError): void {
    if (this.#hooks !== undefined) this.#hooks.onError(err)
    else if (this.#early.length < EARLY_REPORTS) this.#early.push(err)
  }
}

function finalTransferList (final: FinalWrite): ArrayBuffer[] {
  return [...transferList(final.inFlight), ...transferList(final.buffer), ...(final.unconfirmed === undefined ? [] : transferList(final.unconfirmed.drained))]
}
