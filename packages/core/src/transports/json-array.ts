import { separatedByteLength, type EventSource } from './event-source'

const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COMMA = 0x2c

/** Most bytes of the JSON array of events[start, end) (brackets and commas included; see `EventSource.bound`). */
export function jsonArrayBound (events: EventSource, start: number, end: number): number {
  return 1 + Math.max(1, events.bound(start, end))
}

/** Exact bytes of the JSON array of events[start, end). */
export function jsonArrayByteLength (events: EventSource, start: number, end: number): number {
  return 1 + Math.max(1, separatedByteLength(events, start, end))
}

/**
 * Writes events[start, end) as one UTF-8 JSON array to the start of `target` (large enough)
 * and returns that part: each event read once, nothing joined into a large string first.
 */
export function encodeJsonArray (events: EventSource, start: number, end: number, target: Buffer): Buffer {
  target[0] = OPEN_BRACKET
  if (start === end) {
    target[1] = CLOSE_BRACKET
    return target.subarray(0, 2)
  }
  // Each event followed by a comma; the last comma becomes the closing bracket.
  const after = events.copy(start, end, target, 1, COMMA)
  target[after - 1] = CLOSE_BRACKET
  return target.subarray(0, after)
}

/**
 * Ranges [start, end) of events from `from` whose JSON array fits in `maxBytes`. Sizes are
 * measured only when the whole rest might not fit (the bound says so): the common batch is one
 * range, found without reading an event. An event too large on its own gets a range of its
 * own: the server decides, and a 413 drops it.
 */
export function jsonArrayRanges (events: EventSource, from: number, maxBytes: number): Array<[number, number]> {
  if (from >= events.length) return []
  if (jsonArrayBound(events, from, events.length) <= maxBytes) return [[from, events.length]]
  const ranges: Array<[number, number]> = []
  let start = from
  let bytes = 2
  for (let i = from; i < events.length; i++) {
    const size = events.byteLength(i)
    const added = i === start ? size : size + 1
    if (i > start && bytes + added > maxBytes) {
      ranges.push([start, i])
      start = i
      bytes = 2 + size
    } else {
      bytes += added
    }
  }
  ranges.push([start, events.length])
  return ranges
}
