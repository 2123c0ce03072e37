import { existsSync } from 'node:fs'
import { CacheError, DroppedEventsError, type LogstashError } from '../errors'
import { checkBoolean, checkInteger, checkString } from '../validate'
import { EMPTY_BATCH, FileBatch, type FlushMark } from './sqlite-batches'
import { SqliteBuffer, type Drained } from './sqlite-buffer'
import { ThreadClient } from './sqlite-client'
import { toPayload, transferList, unpack } from './sqlite-codec'
import { composeMove, type Move } from './sqlite-compose'
import { InFlightBatches } from './sqlite-in-flight'
import { FlushMarks } from './sqlite-marks'
import { newOwnerId } from './sqlite-owner'
import type { FileState, FinalWrite, Ready, Reply, Report, ThreadOptions } from './sqlite-protocol'
import { loadSqlite } from './sqlite-schema'
import { SettlementQueue, type Queued } from './sqlite-settlements'
import { SqliteWriter } from './sqlite-writer'
import type { Cache, CacheCounts, CachedBatch, CacheHooks } from './types'

export interface SqliteCacheOptions {
  /** The database file; created when missing (its directory must exist). */
  path: string
  /** Most events in the file (all processes), and in memory; over it the oldest pending are dropped and counted. @default 100000 */
  maxEvents?: number
  /** Most bytes (UTF-8) of events in the file, and in memory; over it the oldest pending are dropped and counted. @default unbounded */
  maxBytes?: number
  /** How long rows this cache claimed stay reserved to it unless renewed; a sender that died on another machine frees its rows after this. @default 60000 */
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

/** A write sent to the thread and not answered yet: what the exit path must write itself. */
interface Unconfirmed { id: number, upTo: number, drained: Drained }

type Take = { claim: number, max: number } | undefined

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
 * pending in the file are older than what memory holds, so they are sent first. On exit the
 * main thread writes what is left itself.
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
  readonly #buffer: SqliteBuffer
  readonly #client: ThreadClient
  readonly #inFlight = new InFlightBatches()
  readonly #settlements = new SettlementQueue()
  readonly #marks = new FlushMarks()
  #settleScheduled = false
  /** Claims of rows read back from the file: negative, apart from sequence numbers. */
  #fileClaims = 0
  /** Events in memory with a sequence number up to this have rows (claimed by this cache). */
  #writtenUpTo = 0
  /** Highest sequence number a write claimed, answered or not: an ack up to it deletes rows. */
  #claimedUpTo = 0
  /** A batch was delivered since the last tick: the tick keeps what waits in memory. */
  #delivered = false
  /** When the leases of rows kept in memory need renewing (`undefined`: none kept). */
  #renewAt: number | undefined
  /** Every write, in order: each is composed once the one before has its reply. */
  #writing: Promise<unknown> = Promise.resolve()
  /** A move queued and not composed yet: another tick or release joins it. */
  #queuedMove: { done: Promise<Reply | undefined>, drain: boolean } | undefined
  /** A move emptying memory into the file, under way: takes wait for it (its events are older). */
  #draining: Promise<unknown> | undefined
  #unconfirmed: Unconfirmed | undefined
  #state: FileState = { available: false, pending: 0, oldestId: undefined, generation: 0 }
  /** The thread reported the file's state, or there was no file to leave rows in. */
  #known: boolean
  /** The thread opened the file (or gave up): `flush()` waits for that. */
  #ready = false
  #pendingAtOpen = false
  #hooks: CacheHooks | undefined
  #early: LogstashError[] = []
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
    // No file yet: no earlier run left rows, so sending need not wait for the thread to start.
    this.#known = !existsSync(this.path)
    this.#buffer = new SqliteBuffer(maxEvents, maxBytes)
    this.#client = new ThreadClient(this.#threadOptions, (message) => this.#onMessage(message))
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
    if (this.#settlements.length > 0 || this.#buffer.length > 0 || this.#inFlight.copyAfter(this.#writtenUpTo).events.length > 0) await this.#move(!delivering)
    return !this.#closed && (this.#holdsUnwritten() || this.#keepsRows())
  }

  /** Rows pending in the file first (they are older), else straight from memory, without SQL. */
  async take (max: number): Promise<CachedBatch> {
    for (;;) {
      if (this.#closed) return EMPTY_BATCH
      while (this.#draining !== undefined) await this.#draining
      // Whether rows wait in the file (left by another process or an earlier run) is known
      // from the last reply, and asked anew when memory holds nothing to send.
      if (this.#known && this.#state.pending === 0 && this.#buffer.length > 0) break
      const batch = await this.#takeFromFile(max)
      if (batch !== undefined) return batch
      // Nothing to claim (or the file cannot be used): memory, unless a move is emptying it.
      if (this.#draining === undefined) break
    }
    this.#reportBufferDrops()
    if (this.#buffer.length === 0) return EMPTY_BATCH
    return this.#inFlight.track(this.#buffer.takeBatch(max))
  }

  /** Delivered. A batch that never reached the file needs no SQL; rows are deleted with the next write. */
  async ack (batch: CachedBatch): Promise<void> {
    if (!this.#inFlight.untrack(batch)) return
    this.#delivered = true
    if (batch instanceof FileBatch) {
      this.#settle(batch.claim, batch.claim, batch.generation)
      return
    }
    const first = batch.seqs[0] ?? Infinity
    // Written, or maybe being written: deleting rows that never went in deletes nothing.
    if (first <= this.#claimedUpTo) this.#settle(first, batch.seqs[batch.seqs.length - 1] as number, this.#state.generation)
  }

  /**
   * A failed send: the batch is pending again, ahead of newer events, and since what waits
   * will now wait a while, everything undelivered goes to the file before this resolves.
   */
  async release (batch: CachedBatch): Promise<void> {
    if (!this.#inFlight.untrack(batch)) return
    if (batch instanceof FileBatch) this.#settlements.add('release', batch.claim, batch.claim, batch.generation, batch.events)
    else this.#buffer.restore(batch)
    await this.#move(true)
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
    return { pending: this.pendingCount(), inFlight: this.#inFlight.events, dropped: this.#dropped + this.#buffer.dropped, expired: this.#expired }
  }

  flushMark (): FlushMark {
    return this.#marks.create(this.#buffer.seq, this.#lastInsertedId)
  }

  isFlushed (mark: unknown): boolean {
    const { seq, id } = mark as FlushMark
    if (!this.#ready || this.#buffer.holdsUpTo(seq) || this.#inFlight.holdsUpTo(seq)) return false
    if (this.#unconfirmed !== undefined && (this.#unconfirmed.drained.seqs[0] ?? Infinity) <= seq) return false
    if (id === 0) return true
    const { available, oldestId } = this.#state
    return available && (oldestId === undefined || oldestId > id)
  }

  /** Writes what memory holds and frees this cache's claims; undelivered rows stay in the file. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#writing
    const final = this.#finalWrite()
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
    const final = this.#finalWrite()
    const nothing = final.inFlight.times.length + final.buffer.times.length === 0 && final.settlements.length === 0
    if (nothing && this.#unconfirmed === undefined && this.#inFlight.size === 0) return
    Atomics.store(new Int32Array(this.#threadOptions.stop), 0, 1)
    const writer = new SqliteWriter({
      ...this.#threadOptions,
      busyTimeoutMs: Math.max(this.#threadOptions.busyTimeoutMs, EXIT_BUSY_TIMEOUT_MS),
      report: (code, message) => this.#report(new CacheError(message, { code })),
      stopped: () => false,
      recover: false
    })
    this.#dropped += writer.final(final, false)
  }

  /** Everything memory holds, in order, for the last write (see `FinalWrite`). */
  #finalWrite (): FinalWrite {
    const inFlight = this.#inFlight.copyAfter(0)
    const buffer = this.#buffer.drain()
    const open = this.#unconfirmed
    this.#queueRemoved()
    return {
      inFlight: toPayload(inFlight.events, inFlight.times, inFlight.seqs),
      unconfirmed: open === undefined ? undefined : { id: open.id, upTo: open.upTo, drained: toPayload(open.drained.events, open.drained.times, open.drained.seqs) },
      buffer: toPayload(buffer.events, buffer.times, buffer.seqs),
      writtenUpTo: this.#writtenUpTo,
      settlements: this.#settlements.all()
    }
  }

  async #takeFromFile (max: number): Promise<FileBatch | undefined> {
    const claim = -++this.#fileClaims
    const reply = await this.#write(undefined, { claim, max })
    const claimed = reply?.claimed
    if (reply === undefined || claimed === undefined) return undefined
    return this.#inFlight.track(new FileBatch(unpack(claimed.events), claimed.claim, reply.state.generation))
  }

  /**
   * Queues a move of what is undelivered to the file; `drain` empties memory into it, else
   * memory is kept. One queued is enough: it takes what is there when its turn comes.
   */
  #move (drain: boolean): Promise<Reply | undefined> {
    if (this.#queuedMove !== undefined) {
      this.#queuedMove.drain ||= drain
      return this.#queuedMove.done
    }
    const queued = { done: this.#write({ drain }, undefined), drain }
    this.#queuedMove = queued
    return queued.done
  }

  // Writes are serialized: a failed one puts its events back in front before the next drains.
  #write (move: { drain: boolean } | undefined, take: Take): Promise<Reply | undefined> {
    const done = this.#writing.then(() => this.#writeNow(move !== undefined, take))
    this.#writing = done.catch(() => {})
    return done
  }

  async #writeNow (isMove: boolean, take: Take): Promise<Reply | undefined> {
    if (!isMove) return await this.#send(undefined, take)
    const drain = this.#queuedMove?.drain ?? true
    this.#queuedMove = undefined
    // Kept only while no older rows wait in the file: they go first (FIFO).
    const keep = !drain && this.#known && this.#state.pending === 0
    const move = composeMove(this.#buffer, this.#inFlight, this.#writtenUpTo, keep)
    if (keep) return await this.#send(move, undefined)
    const done = this.#send(move, undefined)
    this.#draining = done
    try {
      return await done
    } finally {
      this.#draining = undefined
    }
  }

  async #send (move: Move | undefined, take: Take): Promise<Reply | undefined> {
    this.#reportBufferDrops()
    this.#queueRemoved()
    const claimed = move?.claimed ?? EMPTY_DRAINED
    const pending = move?.pending ?? EMPTY_DRAINED
    const upTo = move?.upTo ?? this.#writtenUpTo
    const now = Date.now()
    // Rows kept in memory may wait longer than a lease (a slow receiver): renew them in time.
    if (!this.#keepsRows()) this.#renewAt = undefined
    const renewLeases = move !== undefined && this.#renewAt !== undefined && now >= this.#renewAt
    const moves = claimed.events.length > 0 || pending.events.length > 0 || move?.release !== undefined || renewLeases
    // A tick with nothing new to write costs no transaction.
    if (!moves && take === undefined && this.#settlements.length === 0) return undefined
    const queued = this.#settlements.take()
    this.#claimedUpTo = Math.max(this.#claimedUpTo, claimed.seqs[claimed.seqs.length - 1] ?? 0)
    const claimedPayload = toPayload(claimed.events, claimed.times, claimed.seqs)
    const pendingPayload = toPayload(pending.events, pending.times)
    const release = move?.release === undefined ? undefined : { kind: 'release' as const, ...move.release, generation: this.#state.generation }
    const id = this.#client.newId()
    this.#unconfirmed = { id, upTo, drained: move?.drained ?? EMPTY_DRAINED }
    const reply = await this.#client.call({
      op: 'write', id, settlements: queued.map((q) => q.settlement), claimed: claimedPayload, release, payload: pendingPayload, renewLeases, take
    }, [...transferList(claimedPayload), ...transferList(pendingPayload)])
    this.#unconfirmed = undefined
    // Writes are serialized and each applies what failed before: when one commits, all
    // earlier settlements are in. When the thread died, what it was to retry died with it.
    if (reply === undefined) this.#settlements.lost()
    else if (reply.written === true) this.#settlements.settled()
    if (reply?.written === true) {
      this.#writtenUpTo = upTo
      if (renewLeases || (this.#renewAt === undefined && claimed.events.length > 0)) this.#renewAt = now + this.#threadOptions.leaseMs / 2
      if ((reply.lastId ?? 0) > 0) {
        this.#lastInsertedId = Math.max(this.#lastInsertedId, reply.lastId ?? 0)
        this.#marks.written(claimed.seqs[0] ?? pending.seqs[0] ?? 0, this.#lastInsertedId)
      }
    } else if (move !== undefined) {
      this.#buffer.restore(move.drained)
      // The thread died: whether its rows went in is unknown, so a later write deletes them.
      if (reply === undefined && claimed.events.length > 0) this.#settlements.add('delete', this.#writtenUpTo + 1, upTo, this.#state.generation)
    }
    if (reply !== undefined) this.#afterReply(reply, queued)
    return reply
  }

  #afterReply (reply: Reply, queued: readonly Queued[]): void {
    this.#updateState(reply.state)
    // The file was replaced meanwhile: rows read back and released are gone. Their events
    // go to memory, as new ones (FIFO is lost with the file anyway).
    for (const { settlement, events } of queued) {
      if (settlement.kind === 'release' && settlement.generation !== reply.state.generation) {
        for (const event of events) this.#buffer.add(event, Date.now())
      }
    }
  }

  // A delete waits for the next write (the worker's next take from the file or the next
  // tick) or, alone, for the next turn of the event loop: one transaction less per batch.
  #settle (from: number, to: number, generation: number): void {
    this.#settlements.add('delete', from, to, generation)
    if (this.#settleScheduled) return
    this.#settleScheduled = true
    setImmediate(() => {
      this.#settleScheduled = false
      if (this.#settlements.length > 0 && !this.#closed) void this.#write(undefined, undefined)
    })
  }

  // Events dropped from memory (bound, TTL) that may have rows: the rows go too.
  #queueRemoved (): void {
    for (const { from, to } of this.#buffer.takeRemoved()) {
      if (from <= this.#claimedUpTo) this.#settlements.add('delete', from, to, this.#state.generation)
    }
  }

  /** Whether memory holds events that have rows. */
  #keepsRows (): boolean {
    return (this.#buffer.length > 0 && this.#buffer.firstSeq <= this.#writtenUpTo) || this.#inFlight.holdsUpTo(this.#writtenUpTo)
  }

  #holdsUnwritten (): boolean {
    return (this.#buffer.length > 0 && this.#buffer.seq > this.#writtenUpTo) || this.#inFlight.copyAfter(this.#writtenUpTo).events.length > 0
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
    this.#known = true
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
      // A corrupt file was replaced: its ids and rows are gone, what memory holds is unwritten.
      this.#lastInsertedId = 0
      this.#writtenUpTo = 0
      this.#marks.reset()
    }
    this.#state = state
  }

  // Evictions from memory happen inside log(); they are reported later, from the worker's tick.
  #reportBufferDrops (): void {
    const n = this.#buffer.takeUnreportedDrops()
    if (n > 0) this.#report(new DroppedEventsError(`${n} oldest events dropped from memory: more than cache.maxEvents (or cache.maxBytes) were waiting to be sent or written to the SQLite cache ${this.path}`, n))
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

const EMPTY_DRAINED: Drained = Object.freeze({ events: [], times: [], sizes: [], seqs: [] }) as unknown as Drained

function finalTransferList (final: FinalWrite): ArrayBuffer[] {
  return [...transferList(final.inFlight), ...transferList(final.buffer), ...(final.unconfirmed === undefined ? [] : transferList(final.unconfirmed.drained))]
}
