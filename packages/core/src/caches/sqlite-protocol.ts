import type { PackedEvents } from './sqlite-codec'

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

/** A delete (delivered) or a release (failed) of a claim. */
export interface Settlement {
  kind: 'delete' | 'release'
  claim: number
  count: number
  bytes: number
  generation: number
}

/** Events handed over in one write, oldest first, with the time each was logged. */
export interface EventsPayload {
  packed: PackedEvents
  times: Float64Array
}

export type Request =
  | { op: 'write', id: number, settlements: Settlement[], payload: EventsPayload, claimMax: number }
  | { op: 'expire', id: number, cutoff: number }
  | { op: 'close', id: number, final: FinalWrite, vacuum: boolean }

/** Rows claimed by a write: either the first `mine` events of its own payload, or rows read back. */
export interface Claimed {
  claim: number
  mine: number
  events: PackedEvents | undefined
  bytes: number
}

export interface Reply {
  op: 'reply'
  id: number
  state: FileState
  /** write: the transaction committed: payload and settlements are in the file (when false, the main thread keeps the payload, the thread retries the settlements). */
  written?: boolean
  /** write: id of its last row. */
  lastId?: number
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
 * its own connection): unconfirmed and in-memory events go in, settlements are applied
 * again (they are idempotent), and every row this cache still claims is released.
 */
export interface FinalWrite {
  /** Writes sent to the thread without a reply; only those past the file's record are inserted. */
  unconfirmed: { id: number, payload: EventsPayload }[]
  /** Events only in memory, oldest first. */
  memory: EventsPayload
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
  /** Claims are numbered from here: a restarted thread must not reuse a number still in the file. */
  firstClaim: number
  /** Int32 flag set by the main thread on exit: no transaction may commit after it. */
  stop: SharedArrayBuffer
}
