import { CacheError, DroppedEventsError, type LogstashError } from '../errors'
import { checkBoolean, checkInteger, checkString } from '../validate'
import { EMPTY_BATCH, FileBatch, MemoryBatch, type FlushMark } from './sqlite-batches'
import { SqliteBuffer, type Drained } from './sqlite-buffer'
import { ThreadClient } from './sqlite-client'
import { toPayload, transferList, unpack } from './sqlite-codec'
import { FlushMarks } from './sqlite-marks'
import { newOwnerId } from './sqlite-owner'
import type { FileState, Ready, Reply, Report, ThreadOptions } from './sqlite-protocol'
import { loadSqlite } from './sqlite-schema'
import { SettlementQueue } from './sqlite-settlements'
import { SqliteWriter } from './sqlite-writer'
import type { Cache, CacheCounts, CachedBatch, CacheHooks } from './types'

export interface SqliteCacheOptions {
  /** The database file; created when missing (its directory must exist). */
  path: string
  /** Most events in the file (all processes); over it the oldest pending are dropped and counted. Memory holds as many while the file cannot be written. @default 100000 */
  maxEvents?: number
  /** Most bytes (UTF-8) of events in the file; over it the oldest pending are dropped and counted. @default unbounded */
  maxBytes?: number
  /** How long rows taken for a send stay reserved; a sender that died on another machine frees its rows after this. @default 60000 */
  leaseMs?: number
  /** Longest wait for another connection's lock (in the cache's thread). @default 1000 */
  busyTimeoutMs?: number
  /** Run `VACUUM` on close, giving the space of delivered events back to the file system. @default false */
  vacuum?: boolean
}

// The last write, on exit, waits longer for a lock: nothing retries after it.
const EXIT_BUSY_TIMEOUT_MS = 5000
// Problems found before the handler attached its onError wait, up to this many.
const EARLY_REPORTS = 20

interface Unconfirmed { id: number, drained: Drained }

/**
 * A cache in a SQLite file (`node:sqlite`, WAL), so events survive restarts and crashes.
 * `add()` only appends to memory. On each flush tick (`persist()`, `take()`) what memory
 * holds goes, in one transaction, to the file through the cache's own thread, so no SQL
 * runs on the application's thread; on exit, the main thread writes what is left itself.
 * Several processes may share the file: a sender claims rows (owner, claim, lease) and
 * deletes only its own claims. When the file cannot be used, events wait in memory
 * (bounded) and are sent from there; each problem goes to `onError`, never to the caller.
 */
export class SqliteCache implements Cache {
  readonly persistent = true
  readonly path: string
  readonly #vacuum: boolean
  readonly #threadOptions: Omit<ThreadOptions, 'firstClaim'>
  readonly #buffer: SqliteBuffer
  readonly #client: ThreadClient
  readonly #inFlight = new Set<FileBatch | MemoryBatch>()
  readonly #settlements = new SettlementQueue()
  readonly #marks = new FlushMarks()
  #settleScheduled = false
  /** Highest claim number seen: a restarted thread numbers its claims after it. */
  #lastClaim = 0
  #writing: Promise<unknown> = Promise.resolve()
  #unconfirmed: Unconfirmed | undefined
  #state: FileState = { available: false, pending: 0, oldestId: undefined, generation: 0 }
  #ready = false
  #pendingAtOpen = false
  #hooks: CacheHooks | undefined
  #early: LogstashError[] = []
  #inFlightEvents = 0
  #lastInsertedId = 0
  #dropped = 0
  #expired = 0
  #closed = false

  constructor (options: SqliteCacheOptions) {
    // Throws the ConfigurationError naming the Node.js version needed, before anything starts.
    loadSqlite()
    this.path = checkString('path', options.path)
    const maxEvents = checkInteger('maxEvents', options.maxEvents ?? 100_000, 1)
    const maxBytes = options.maxBytes === undefined ? undefined : checkInteger('maxBytes', options.maxBytes, 1)
    this.#vacuum = checkBoolean('vacuum', options.vacuum ?? false)
    this.#threadOptions = {
      path: this.path,
      owner: newOwnerId(),
      maxEvents,
      maxBytes,
      leaseMs: checkInteger('leaseMs', options.leaseMs ?? 60_000, 1),
      busyTimeoutMs: checkInteger('busyTimeoutMs', options.busyTimeoutMs ?? 1000, 0),
      stop: new SharedArrayBuffer(4)
    }
    this.#buffer = new SqliteBuffer(maxEvents, maxBytes)
    this.#client = new ThreadClient(() => ({ ...this.#threadOptions, firstClaim: this.#lastClaim + 1 }), (message) => this.#onMessage(message))
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

  async persist (): Promise<void> {
    if ((this.#buffer.length > 0 || this.#settlements.length > 0) && !this.#closed) await this.#write(0)
  }

  async take (max: number): Promise<CachedBatch> {
    if (this.#closed) return EMPTY_BATCH
    const { reply, drained } = await this.#write(max)
    const claimed = reply?.claimed
    if (claimed !== undefined) {
      // Events claimed as they went in are sent from memory: nothing is read back.
      const events = claimed.mine > 0 ? drained.events.slice(0, claimed.mine) : (claimed.events === undefined ? [] : unpack(claimed.events))
      this.#lastClaim = Math.max(this.#lastClaim, claimed.claim)
      return this.#track(new FileBatch(events, claimed.claim, claimed.bytes, reply?.state.generation ?? 0))
    }
    if (reply?.written === true) return EMPTY_BATCH
    // The file cannot be written: what memory holds goes out directly.
    this.#reportBufferDrops()
    if (this.#buffer.length === 0) return EMPTY_BATCH
    return this.#track(this.#buffer.takeBatch(max))
  }

  async ack (batch: CachedBatch): Promise<void> {
    if (this.#untrack(batch) && batch instanceof FileBatch) this.#settle('delete', batch)
  }

  async release (batch: CachedBatch): Promise<void> {
    if (!this.#untrack(batch)) return
    if (batch instanceof MemoryBatch) {
      this.#buffer.restore(batch)
    } else if (batch instanceof FileBatch) {
      // A failed send is rare: the rows are pending again when this resolves.
      this.#settle('release', batch)
      await this.#write(0)
    }
  }

  async expire (ttlMs: number): Promise<number> {
    const cutoff = Date.now() - ttlMs
    let count = this.#buffer.expire(cutoff)
    const reply = await this.#client.call({ op: 'expire', id: this.#client.newId(), cutoff })
    if (reply !== undefined) {
      this.#updateState(reply.state)
      count += reply.expired ?? 0
    }
    this.#expired += count
    return count
  }

  /** Memory plus the file's pending rows (of every process), as of the last reply. */
  pendingCount (): number {
    return this.#buffer.length + (this.#unconfirmed?.drained.events.length ?? 0) + this.#state.pending
  }

  counts (): CacheCounts {
    return { pending: this.pendingCount(), inFlight: this.#inFlightEvents, dropped: this.#dropped + this.#buffer.dropped, expired: this.#expired }
  }

  flushMark (): FlushMark {
    return this.#marks.create(this.#buffer.seq, this.#lastInsertedId)
  }

  isFlushed (mark: unknown): boolean {
    const { seq, id } = mark as FlushMark
    if (!this.#ready || this.#buffer.holdsUpTo(seq)) return false
    if (this.#unconfirmed !== undefined && (this.#unconfirmed.drained.seqs[0] ?? 0) <= seq) return false
    for (const batch of this.#inFlight) {
      if (batch instanceof MemoryBatch && (batch.seqs[0] ?? Infinity) <= seq) return false
    }
    if (id === 0) return true
    const { available, oldestId } = this.#state
    return available && (oldestId === undefined || oldestId > id)
  }

  /** Writes what memory holds and frees this cache's claims; undelivered rows stay in the file. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#writing
    const memory = this.#takeMemory()
    const payload = toPayload(memory.events, memory.times)
    const reply = await this.#client.call({
      op: 'close',
      id: this.#client.newId(),
      final: { unconfirmed: [], memory: payload, settlements: this.#settlements.all() },
      vacuum: this.#vacuum
    }, transferList(payload))
    if (reply === undefined && memory.events.length > 0) this.#countDrops(memory.events.length, `the SQLite cache ${this.path} could not be written at close`)
    await this.#client.terminate()
  }

  /**
   * On process `exit`: no await is possible and the thread may be mid-transaction. Stop
   * it from committing anything more, then write, on a connection of this thread, what
   * it did not confirm, what memory holds, and the settlements; free this cache's claims.
   */
  persistSync (): void {
    if (this.#closed) return
    this.#closed = true
    const memory = this.#takeMemory()
    const unconfirmed = this.#unconfirmed === undefined ? [] : [{ id: this.#unconfirmed.id, payload: toPayload(this.#unconfirmed.drained.events, this.#unconfirmed.drained.times) }]
    const settlements = this.#settlements.all()
    if (memory.events.length === 0 && unconfirmed.length === 0 && this.#inFlight.size === 0 && settlements.length === 0) return
    Atomics.store(new Int32Array(this.#threadOptions.stop), 0, 1)
    const writer = new SqliteWriter({
      ...this.#threadOptions,
      busyTimeoutMs: Math.max(this.#threadOptions.busyTimeoutMs, EXIT_BUSY_TIMEOUT_MS),
      report: (code, message) => this.#report(new CacheError(message, { code })),
      stopped: () => false,
      recover: false
    })
    this.#dropped += writer.final({ unconfirmed, memory: toPayload(memory.events, memory.times), settlements }, false)
  }

  // Writes are serialized: a failed one puts its events back in front before the next drains.
  #write (claimMax: number): Promise<{ reply: Reply | undefined, drained: Drained }> {
    const done = this.#writing.then(() => this.#writeNow(claimMax))
    this.#writing = done.catch(() => {})
    return done
  }

  async #writeNow (claimMax: number): Promise<{ reply: Reply | undefined, drained: Drained }> {
    this.#reportBufferDrops()
    // While nothing older waits in the file, a take writes just the batch it sends, claimed
    // as it goes in, and the rest follows with the next take: nothing is read back. Else it
    // writes everything, and the oldest rows come back from the file.
    const drained = this.#buffer.drain(claimMax > 0 && this.#state.pending === 0 ? claimMax : Infinity)
    const id = this.#client.newId()
    const payload = toPayload(drained.events, drained.times)
    const queued = this.#settlements.take()
    const settlements = queued.map((q) => q.settlement)
    this.#unconfirmed = { id, drained }
    const reply = await this.#client.call({ op: 'write', id, settlements, payload, claimMax }, transferList(payload))
    this.#unconfirmed = undefined
    // Writes are serialized and each applies what failed before: when one commits, all
    // earlier settlements are in. When the thread died, what it was to retry died with it.
    if (reply === undefined) this.#settlements.lost(queued)
    else if (reply.written === true) this.#settlements.settled()
    if (reply === undefined || reply.written !== true) {
      this.#buffer.restore(drained)
    } else if (drained.events.length > 0) {
      this.#lastInsertedId = Math.max(this.#lastInsertedId, reply.lastId ?? 0)
      this.#marks.written(drained.seqs[0] ?? 0, this.#lastInsertedId)
    }
    if (reply !== undefined) {
      this.#updateState(reply.state)
      // The file was replaced meanwhile: its rows are gone, so an unsent batch goes to memory.
      for (const { settlement, batch } of queued) {
        if (settlement.kind === 'release' && settlement.generation !== reply.state.generation) {
          this.#buffer.restore({ events: [...batch.events], times: batch.events.map(() => Date.now()), sizes: [], seqs: [] })
        }
      }
    }
    return { reply, drained }
  }

  // An ack waits for the next write (the worker's next take follows at once while there is
  // work) or, alone, for the next turn of the event loop: one transaction less per batch.
  #settle (kind: 'delete' | 'release', batch: FileBatch): void {
    this.#settlements.add(kind, batch)
    if (this.#settleScheduled) return
    this.#settleScheduled = true
    setImmediate(() => {
      this.#settleScheduled = false
      if (this.#settlements.length > 0 && !this.#closed) void this.#write(0)
    })
  }

  /** Memory batches in flight and the buffer, oldest first, emptied. */
  #takeMemory (): Drained {
    for (const batch of [...this.#inFlight].reverse()) {
      if (batch instanceof MemoryBatch && this.#untrack(batch)) this.#buffer.restore(batch)
    }
    return this.#buffer.drain()
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
    this.#ready = true
    this.#updateState(message.state)
    // Rows left by earlier runs are part of what a first flush() waits for.
    this.#lastInsertedId = Math.max(this.#lastInsertedId, message.newestId)
    this.#marks.written(0, this.#lastInsertedId)
    if (message.state.pending > 0) {
      this.#pendingAtOpen = true
      this.#hooks?.onPending?.()
    }
  }

  #updateState (state: FileState): void {
    if (state.generation !== this.#state.generation) {
      // A corrupt file was replaced: ids of the old one mean nothing now.
      this.#lastInsertedId = 0
      this.#marks.reset()
    }
    this.#state = state
  }

  #track<T extends FileBatch | MemoryBatch> (batch: T): T {
    this.#inFlight.add(batch)
    this.#inFlightEvents += batch.events.length
    return batch
  }

  #untrack (batch: CachedBatch): boolean {
    if (!(batch instanceof FileBatch || batch instanceof MemoryBatch) || !this.#inFlight.delete(batch)) return false
    this.#inFlightEvents -= batch.events.length
    return true
  }

  // Evictions from memory happen inside log(); they are reported later, from the worker's tick.
  #reportBufferDrops (): void {
    const n = this.#buffer.takeUnreportedDrops()
    if (n > 0) this.#report(new DroppedEventsError(`${n} oldest events dropped from memory while the SQLite cache ${this.path} could not be written: memory holds at most cache.maxEvents events`, n))
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
