import { separatedByteLength, type EventSource } from './event-source'

// JSON lines, the tcp transport's framing: each event, then a newline.

/** How many lines end within the first `bytes` bytes of `payload`. */
export function countLines (payload: Buffer, bytes: number): number {
  let count = 0
  let at = payload.indexOf(0x0a)
  while (at !== -1 && at < bytes) {
    count++
    at = payload.indexOf(0x0a, at + 1)
  }
  return count
}

/** Bytes of `events` as UTF-8 JSON lines, one newline after each. */
export function jsonLinesByteLength (events: EventSource): number {
  return separatedByteLength(events, 0, events.length)
}

/** Writes `events` as UTF-8 JSON lines to the start of `target` (large enough); returns that part. */
export function encodeJsonLines (events: EventSource, target: Buffer): Buffer {
  return target.subarray(0, events.copy(0, events.length, target, 0, NEWLINE))
}

const NEWLINE = 0x0a
