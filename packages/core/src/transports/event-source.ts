import type { EventBytes } from '../contracts'
import { utf8Bound } from './scratch-buffer'

/**
 * What a transport encodes a batch from: its strings (`send(events)`), or the bytes of a
 * cache that keeps its events as UTF-8 (`sendBytes()`). One encoder per protocol serves both.
 */
export interface EventSource extends EventBytes {
  /** Whether `bound()` is exact: the events' sizes are known (bytes), not estimated (strings). */
  readonly exact: boolean
  /**
   * Most bytes events `start` to `end` take with one separator byte each, known without
   * reading a string (see `utf8Bound`); exact for bytes. What a scratch buffer is sized by.
   */
  bound (start: number, end: number): number
}

/** Exact bytes of events `start` to `end`, with one separator byte each. */
export function separatedByteLength (source: EventSource, start: number, end: number): number {
  let bytes = end - start
  for (let i = start; i < end; i++) bytes += source.byteLength(i)
  return bytes
}

/** A batch given as strings: each is encoded as it is copied. */
export function stringSource (events: readonly string[]): EventSource {
  return new StringSource(events)
}

// Classes, not object literals with closures: measured, a literal per send made the young
// generation keep twice the bytes through each scavenge (bench/gc-summary.js), and grow.
class StringSource implements EventSource {
  readonly exact = false
  readonly #events: readonly string[]

  constructor (events: readonly string[]) {
    this.#events = events
  }

  get length (): number { return this.#events.length }

  byteLength (index: number): number { return Buffer.byteLength(this.#events[index] as string) }

  bound (start: number, end: number): number {
    let bytes = end - start
    for (let i = start; i < end; i++) bytes += utf8Bound(this.#events[i] as string)
    return bytes
  }

  copy (start: number, end: number, target: Buffer, offset: number, separator?: number): number {
    let at = offset
    for (let i = start; i < end; i++) {
      at += target.write(this.#events[i] as string, at)
      if (separator !== undefined) target[at++] = separator
    }
    return at
  }
}

/** A batch given as bytes: its sizes are known, so the bound is exact. */
export function bytesSource (bytes: EventBytes): EventSource {
  return new BytesSource(bytes)
}

class BytesSource implements EventSource {
  readonly exact = true
  readonly #bytes: EventBytes

  constructor (bytes: EventBytes) {
    this.#bytes = bytes
  }

  get length (): number { return this.#bytes.length }

  byteLength (index: number): number { return this.#bytes.byteLength(index) }

  bound (start: number, end: number): number { return separatedByteLength(this, start, end) }

  copy (start: number, end: number, target: Buffer, offset: number, separator?: number): number {
    return this.#bytes.copy(start, end, target, offset, separator)
  }
}
