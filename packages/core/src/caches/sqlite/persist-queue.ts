import type { LogstashError } from '../../errors'
import { FileBatch } from './batches'
import type { Drained, MemoryBuffer } from './memory-buffer'
import type { ThreadClient } from './thread-client'
import { toPayload, transferList, unpack } from './event-packing'
import { composeMove, type Move } from './persist-plan'
import type { InFlightBatches } from './in-flight-batches'
import type { FinalWrite, Reply } from './thread-protocol'
import { SettlementQueue, type Queued } from './settlement-queue'
import type { FileStatus } from './file-status'

export interface PersistQueueOptions {
  buffer: MemoryBuffer
  inFlight: InFlightBatches
  client: ThreadClient
  status: FileStatus
  path: string
  leaseMs: number
  report: (err: LogstashError) => void
}

/** A write sent to the thread and not answered yet: what the exit path must write itself. */
interface Unconfirmed { id: number, upTo: number, drained: Drained }

type Take = { claim: number, max: number } | undefined

const EMPTY: Drained = Object.freeze({ events: [], times: [], sizes: [], seqs: [] }) as unknown as Drained

/**
 * The SQLite cache's writes, from the main thread: one at a time, in order, each composed
 * when its turn comes (so a failed one has put its events back before the next looks), and
 * what is known to be in the file. Events in memory with a sequence number up to
 * `writtenUpTo` have rows, claimed by this cache (claim = sequence number): the oldest.
 */
export class PersistQueue {
  readonly settlements = new SettlementQueue()
  readonly #options: PersistQueueOptions
  #writing: Promise<unknown> = Promise.resolve()
  /** A move queued and not composed yet: another tick or release joins it. */
  #queuedMove: { done: Promise<Reply | undefined>, drain: boolean } | undefined
  #draining: Promise<unknown> | undefined
  #unconfirmed: Unconfirmed | undefined
  #settleScheduled = false
  /** Claims of rows read back from the file: negative, apart from sequence numbers. */
  #fileClaims = 0
  /** When the leases of rows kept in memory need renewing (`undefined`: none kept). */
  #renewAt: number | undefined
  #stopped = false
  /** Events in memory with a sequence number up to this have rows. */
  writtenUpTo = 0
  /** Highest sequence number a write claimed, answered or not: an ack up to it deletes rows. */
  claimedUpTo = 0

  constructor (options: PersistQueueOptions) {
    this.#options = options
  }

  /** A move emptying memory into the file, under way: takes wait for it (its events are older). */
  get draining (): Promise<unknown> | undefined { return this.#draining }

  /** Events taken out of memory by the write under way: still waiting, as far as counts go. */
  get inTransit (): Drained { return this.#unconfirmed?.drained ?? EMPTY }

  /** Resolves once every write queued so far has its reply. */
  idle (): Promise<unknown> { return this.#writing }

  /** No more writes of its own accord (the cache is closing). */
  stop (): void { this.#stopped = true }

  /**
   * Queues a move of what is undelivered to the file: kept in memory (written claimed by
   * this cache), or with `drain` emptied into the file for any sender. One queued is enough:
   * it takes what is there when its turn comes.
   */
  move (drain: boolean): Promise<Reply | undefined> {
    if (this.#queuedMove !== undefined) {
      this.#queuedMove.drain ||= drain
      return this.#queuedMove.done
    }
    const queued = { done: this.#write(true, undefined), drain }
    this.#queuedMove = queued
    return queued.done
  }

  /** Claims up to `max` of the oldest pending rows of the file, read back. */
  async takeFromFile (max: number): Promise<FileBatch | undefined> {
    const claim = -++this.#fileClaims
    const reply = await this.#write(false, { claim, max })
    const claimed = reply?.claimed
    if (reply === undefined || claimed === undefined) return undefined
    return new FileBatch(unpack(claimed.events), claimed.claim, reply.state.generation)
  }

  /**
   * Deletes this cache's rows with a claim in `from..to`. It waits for the next write (the
   * worker's next take from the file, or the next tick) or, alone, for the next turn of
   * the event loop: one transaction less per batch.
   */
  deleteSoon (from: number, to: number, generation: number): void {
    this.settlements.add('delete', from, to, generation)
    if (this.#settleScheduled) return
    this.#settleScheduled = true
    setImmediate(() => {
      this.#settleScheduled = false
      if (this.settlements.length > 0 && !this.#stopped) void this.#write(false, undefined)
    })
  }

  /** Whether memory holds events that have rows. */
  keepsRows (): boolean {
    return this.#options.buffer.holdsUpTo(this.writtenUpTo) || this.#options.inFlight.holdsUpTo(this.writtenUpTo)
  }

  /** Whether memory holds events that have no rows yet. */
  holdsUnwritten (): boolean {
    return this.#options.buffer.holdsAfter(this.writtenUpTo) || this.#options.inFlight.holdsAfter(this.writtenUpTo)
  }

  /** Everything memory holds, in order, for the last write (see `FinalWrite`); memory is emptied. */
  finalWrite (): FinalWrite {
    const { buffer, inFlight } = this.#options
    const flying = inFlight.copyAfter(0)
    const waiting = buffer.drain()
    const open = this.#unconfirmed
    this.#queueRemoved()
    return {
      inFlight: toPayload(flying.events, flying.times, flying.seqs),
      unconfirmed: open === undefined ? undefined : { id: open.id, upTo: open.upTo, drained: toPayload(open.drained.events, open.drained.times, open.drained.seqs) },
      buffer: toPayload(waiting.events, waiting.times, waiting.seqs),
      writtenUpTo: this.writtenUpTo,
      settlements: this.settlements.all()
    }
  }

  #write (isMove: boolean, take: Take): Promise<Reply | undefined> {
    const done = this.#writing.then(() => this.#compose(isMove, take))
    this.#writing = done.catch(() => {})
    return done
  }

  async #compose (isMove: boolean, take: Take): Promise<Reply | undefined> {
    if (!isMove) return await this.#send(undefined, take)
    const drain = this.#queuedMove?.drain ?? true
    this.#queuedMove = undefined
    const { buffer, inFlight, status } = this.#options
    // Kept only while no older rows wait in the file: they go first (FIFO).
    const keep = !drain && status.known && status.state.pending === 0
    const move = composeMove(buffer, inFlight, this.writtenUpTo, keep)
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
    const { buffer, client, status, leaseMs } = this.#options
    const drops = buffer.takeDropReport(this.#options.path)
    if (drops !== undefined) this.#options.report(drops)
    this.#queueRemoved()
    const claimed = move?.claimed ?? EMPTY
    const pending = move?.pending ?? EMPTY
    const upTo = move?.upTo ?? this.writtenUpTo
    const now = Date.now()
    // Rows kept in memory may wait longer than a lease (a slow receiver): renew them in time.
    if (!this.keepsRows()) this.#renewAt = undefined
    const renewLeases = move !== undefined && this.#renewAt !== undefined && now >= this.#renewAt
    // A tick with nothing new to write costs no transaction.
    const moves = claimed.events.length > 0 || pending.events.length > 0 || (move?.release.length ?? 0) > 0 || renewLeases
    if (!moves && take === undefined && this.settlements.length === 0) return undefined
    const queued = this.settlements.take()
    this.claimedUpTo = Math.max(this.claimedUpTo, claimed.seqs[claimed.seqs.length - 1] ?? 0)
    const claimedPayload = toPayload(claimed.events, claimed.times, claimed.seqs)
    const pendingPayload = toPayload(pending.events, pending.times, pending.seqs)
    const release = (move?.release ?? []).map((run) => ({ kind: 'release' as const, ...run, generation: status.state.generation }))
    const id = client.newId()
    this.#unconfirmed = { id, upTo, drained: move?.drained ?? EMPTY }
    const reply = await client.call({
      op: 'write', id, settlements: queued.map((q) => q.settlement), claimed: claimedPayload, release, payload: pendingPayload, renewLeases, take
    }, [...transferList(claimedPayload), ...transferList(pendingPayload)])
    this.#unconfirmed = undefined
    // Writes are serialized and each applies what failed before: when one commits, all
    // earlier settlements are in. When the thread died, what it was to retry died with it.
    if (reply === undefined) this.settlements.lost()
    else if (reply.written === true) this.settlements.settled()
    if (reply?.written === true) {
      this.writtenUpTo = upTo
      if (renewLeases || (this.#renewAt === undefined && claimed.events.length > 0)) this.#renewAt = now + leaseMs / 2
      if ((reply.lastId ?? 0) > 0) status.written(Math.min(claimed.seqs[0] ?? Infinity, pending.seqs[0] ?? Infinity), reply.lastId ?? 0)
    } else if (move !== undefined) {
      buffer.restore(move.drained)
      // The thread died: whether its rows went in is unknown, so a later write deletes them.
      if (reply === undefined && claimed.events.length > 0) this.settlements.add('delete', this.writtenUpTo + 1, upTo, status.state.generation)
    }
    if (reply !== undefined) this.#afterReply(reply, queued)
    return reply
  }

  #afterReply (reply: Reply, queued: readonly Queued[]): void {
    this.#options.status.update(reply.state)
    // The file was replaced meanwhile: rows read back and released are gone. Their events
    // go to memory, as new ones (FIFO is lost with the file anyway).
    for (const { settlement, events } of queued) {
      if (settlement.kind === 'release' && settlement.generation !== reply.state.generation) {
        for (const event of events) this.#options.buffer.add(event, Date.now())
      }
    }
  }

  // Events dropped from memory (bound, TTL) that may have rows: the rows go too.
  #queueRemoved (): void {
    for (const { from, to } of this.#options.buffer.takeRemoved()) {
      if (from <= this.claimedUpTo) this.settlements.add('delete', from, to, this.#options.status.state.generation)
    }
  }
}
