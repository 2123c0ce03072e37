import type { EventsPayload, PackedEvents } from './event-packing'

/*
 * Messages between the SQLite cache (main thread) and its SQLite thread. Plain data, with
 * events packed in ArrayBuffers that are transferred, not copied. Every request has an
 * id; each gets one reply with the same id, in order. Problems travel as `report`
 * messages, never as rejections.
 */

/** What the thread knows about the file after each request. */
export interface FileState {
  /** The file is open and usable. */
  available: boolean
  /** Rows waiting to be taken, of every process. */
  pending: number
  /** Smallest id in the file (`undefined` when empty or unknown). */
  oldestId: number | undefined
  /** Bumped when a corrupt file was replaced: claims in the old one are void. */
  generation: number
}

/**
 * A delete (delivered, or dropped from memory) or a release (pending again) of this cache's
 * rows whose claim lies in `from..to`: one claim of rows read back from the file (a negative
 * number), or a run of events written from memory (claim = the event's sequence number).
 */
export interface Settlement {
  kind: 'delete' | 'release'
  from: number
  to: number
  generation: number
  /**
   * For a release of one claim of rows read back: its first `delivered` rows were delivered
   * (a send that failed part way) and are deleted, the rest released. Idempotent like the
   * others: once applied, the rows are no longer this cache's.
   */
  delivered?: number
}

/**
 * One transaction: apply `settlements`, insert `claimed` (events still in this cache's
 * memory: claimed by it, claim = sequence number, so no other sender takes them) and
 * `payload` (pending rows) in the order of their sequence numbers, release `release`
 * (events written earlier, now leaving memory for good), renew this cache's leases if
 * asked, and, with `take`, claim the oldest pending rows of the file (read back: they may
 * come from another process).
 */
export interface WriteRequest {
  op: 'write'
  id: number
  settlements: Settlement[]
  claimed: EventsPayload
  release: Settlement[]
  payload: EventsPayload
  renewLeases: boolean
  take: { claim: number, max: number } | undefined
}

export type Request =
  | WriteRequest
  | { op: 'expire', id: number, cutoff: number }
  | { op: 'state', id: number }
  | { op: 'close', id: number, final: FinalWrite, vacuum: boolean }

/** Rows claimed by a write's `take`, read back from the file. */
export interface Claimed {
  claim: number
  events: PackedEvents
}

export interface Reply {
  op: 'reply'
  id: number
  state: FileState
  /** write: the transaction committed: events and settlements are in the file (when false, the main thread keeps the events, the thread retries the settlements). */
  written?: boolean
  /** write: id of its last inserted row (0 when it inserted none). */
  lastId?: number
  /** write: the rows its `take` claimed, if any. */
  claimed?: Claimed | undefined
  /** write: rows dropped to honour the bounds. */
  evicted?: number
  /** expire: rows deleted. */
  expired?: number
  /** close: events that could not be written. */
  lost?: number
}

/** Sent once the thread opened (or failed to open) the file. */
export interface Ready {
  op: 'ready'
  state: FileState
  /** Largest id at open: rows earlier runs left, which a first flush() waits for. */
  newestId: number
}

export interface Report {
  op: 'report'
  code: string
  message: string
  /** Set for events given up (bounds): counted as dropped. */
  dropped?: number
}

export type ThreadMessage = Reply | Ready | Report

/**
 * The last write of a cache, on close (by the thread) or on exit (by the main thread, on
 * its own connection). What memory holds goes in, in order, except events whose rows exist
 * (sequence number up to `writtenUpTo`, or up to `unconfirmed.upTo` when that write
 * committed); rows claimed by writes that are not known to have committed are deleted
 * first; settlements are applied again (they are idempotent); every row this cache still
 * claims is released.
 */
export interface FinalWrite {
  /** Batches in flight, oldest first. */
  inFlight: EventsPayload
  /** A write sent to the thread without a reply, and the events it took out of memory. */
  unconfirmed: { id: number, upTo: number, drained: EventsPayload } | undefined
  /** The events waiting in memory, oldest first. */
  buffer: EventsPayload
  writtenUpTo: number
  settlements: Settlement[]
}

/** What the thread is started with (`workerData`). */
export interface ThreadOptions {
  path: string
  owner: string
  maxEvents: number
  maxBytes: number | undefined
  leaseMs: number
  busyTimeoutMs: number
  /** Int32 flag set by the main thread on exit: no transaction may commit after it. */
  stop: SharedArrayBuffer
}
