import type { RequestContext } from './context'
import type { LogstashError } from './errors'
import type { Level } from './levels'
import type { LogRecord } from './record'

/*
 * The contracts between the layers: what a logger writes to (LogSink), what turns a record
 * into an event (Formatter), what carries events (Transport) and where they wait (Cache).
 * Every layer implements or uses these, so they sit at the bottom and import only types.
 */

/** The built-in transports, by the name the `transport` option takes. */
export type TransportName = 'tcp' | 'udp' | 'beats' | 'http'
export const TRANSPORT_NAMES: readonly TransportName[] = Object.freeze(['tcp', 'udp', 'beats', 'http'])

/** Anything a logger can write records to. */
export interface LogSink {
  log (record: LogRecord): unknown
  isLevelEnabled? (level: Level): boolean
}

/**
 * Turns one record into one event string (a JSON object, no trailing newline).
 * Pure: no I/O. A value it cannot write should become a marker in its place, never cost
 * the event; if `format()` throws all the same, the handler sends `fallback()`'s event (or
 * a minimal one of its own) and reports the problem to `onError`.
 */
export interface Formatter {
  /**
   * @param record what the log call produced (`time` is always a valid time when the handler calls)
   * @param context the request context active at the log call, if any
   */
  format (record: LogRecord, context?: RequestContext): string
  /**
   * The event to send instead when `format()` threw for `record`: its core facts in this
   * formatter's shape, saying what went wrong. Must not throw. Optional.
   */
  fallback? (record: LogRecord, error: unknown): string
}

/**
 * What a send may report besides success: events the transport refused for good (an
 * event larger than the protocol allows, an HTTP 413 for a single event). The batch as a
 * whole counts as delivered; the refused events are counted as dropped and reported.
 */
export interface SendOutcome {
  dropped: number
  error?: LogstashError
}

/**
 * One wire protocol. Opens lazily, reuses its connection, closes it in `close()`.
 * `send()` resolves when the protocol's notion of delivery is reached (the kernel has the
 * bytes for TCP and UDP, a 2xx for HTTP, the ACK for Beats) and rejects with a
 * `TransportError` whose `retryable` tells the worker whether to try again, and whose
 * `settled` says which leading events were delivered before the failure. A transport never
 * retries by itself. The worker runs at most `maxConcurrentSends` sends at once on it, and
 * events of a send started earlier go out before those of a later one.
 */
export interface Transport {
  send (events: readonly string[]): Promise<void | SendOutcome>
  /**
   * The same, for a batch whose cache keeps its events as UTF-8 (`CachedBatch.bytes`): the
   * transport copies their bytes into its frames and no string is made. Without it, the
   * worker sends `batch.events`.
   */
  sendBytes? (events: EventBytes): Promise<void | SendOutcome>
  close (): Promise<void>
  /**
   * How many sends may be under way at once (Beats windows awaiting their ACK, HTTP requests
   * awaiting their answer). The handler's own transports take it from `pipelining`.
   * @default 1
   */
  readonly maxConcurrentSends?: number
}

/** Events taken from a cache, in FIFO order, to be acknowledged or released exactly once. */
export interface CachedBatch {
  readonly events: readonly string[]
  /** How many events: `events.length`, known without reading them (a cache that keeps no strings). */
  readonly count?: number
  /** The events as UTF-8, when the cache keeps them so (`events` then decodes them at each read). */
  readonly bytes?: EventBytes
}

/**
 * Events as UTF-8 bytes, as a cache that keeps them so gives them to a transport: each
 * event's size is known, and events are copied into a transport's buffer without ever
 * becoming strings again.
 */
export interface EventBytes {
  readonly length: number
  /** UTF-8 bytes of event `index`. */
  byteLength (index: number): number
  /**
   * Copies events `start` to `end` (exclusive) into `target` (large enough) from `offset`,
   * each followed by the byte `separator` when one is given; returns the offset after the
   * last byte written.
   */
  copy (start: number, end: number, target: Buffer, offset: number, separator?: number): number
}

/** Counters a cache keeps; the handler's `stats()` adds them up. */
export interface CacheCounts {
  /** Events waiting to be taken. */
  pending: number
  /** Events taken and neither acknowledged nor released yet. */
  inFlight: number
  /** Events evicted by the size bound, oldest first. */
  dropped: number
  /** Events deleted unsent because they were older than the TTL. */
  expired: number
}

/** Hooks the handler gives a cache it created or was given. */
export interface CacheHooks {
  /** Receives storage problems; the cache keeps working (in memory if it has to). */
  onError (err: LogstashError): void
  /**
   * Called when the cache found events to send that were not added through it (rows an
   * earlier run left in a persistent cache): the handler starts sending.
   */
  onPending? (): void
}

/**
 * Where events wait until the transport has delivered them. Memory and SQLite honour the
 * same contract, tested by one shared suite.
 */
export interface Cache {
  /** Stores one formatted event; never throws. Over the bound, the oldest are evicted and counted. */
  add (event: string, time: number): void
  /** Up to `max` of the oldest pending events, marked in flight (empty when none wait). */
  take (max: number): Promise<CachedBatch>
  /** Delivered: forget the batch. A second ack or release of the same batch does nothing. */
  ack (batch: CachedBatch): Promise<void>
  /**
   * Not delivered: the batch is pending again, ahead of newer events and in order with other
   * released batches (several may be in flight). With `delivered`, its first `delivered`
   * events did arrive: they are forgotten like an acknowledged batch, only the rest is
   * pending again. A cache that ignores `delivered` sends them twice.
   */
  release (batch: CachedBatch, delivered?: number): Promise<void>
  /** Deletes pending events older than `ttlMs`; returns how many. */
  expire (ttlMs: number): Promise<number>
  /** Events waiting to be taken, answered without scanning. */
  pendingCount (): number
  counts (): CacheCounts
  /** Called by the handler before first use. */
  attach? (hooks: CacheHooks): void
  /**
   * The persist tick of a persistent cache, called by the worker about every flush
   * interval while events come in, at any moment (a `take()`/`ack()` may be under way):
   * what is still undelivered (waiting or in flight) goes to the storage, so a crash loses
   * at most what came since. Resolves `true` when it needs another tick even if nothing more
   * is logged (its write failed, say): the worker ticks again.
   */
  persist? (): Promise<boolean | void>
  /** Called on process `exit`, where only synchronous work runs. */
  persistSync? (): void
  /**
   * True when what is left at `close()` or at exit survives for a later process (SQLite),
   * so it is not counted as dropped.
   */
  readonly persistent?: boolean
  /**
   * For a cache other processes share: a mark for "everything added so far". The handler's
   * own counters cannot tell when its events are delivered, since another process may send
   * them (and this one may send theirs); `flush()` then asks `isFlushed(mark)` instead.
   */
  flushMark? (): unknown
  /** Whether every event added before `flushMark()` returned `mark` has left the cache. */
  isFlushed? (mark: unknown): boolean
  /**
   * For a cache other processes share: learn anew what they did, without taking anything.
   * The worker calls it while a `flush()` waits and no host can take a batch.
   */
  refresh? (): Promise<void>
  close (): Promise<void>
}
