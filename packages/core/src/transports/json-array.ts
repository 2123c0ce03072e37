import { utf8Bound } from './scratch-buffer'

const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COMMA = 0x2c

/** Most bytes of the JSON array of events[start, end) (brackets and commas included; see `utf8Bound`). */
export function jsonArrayBound (events: readonly string[], start: number, end: number): number {
  let bytes = 2 + Math.max(0, end - start - 1)
  for (let i = start; i < end; i++) bytes += utf8Bound(events[i] as string)
  return bytes
}

/** Exact bytes of the JSON array of events[start, end). */
export function jsonArrayByteLength (events: readonly string[], start: number, end: number): number {
  let bytes = 2 + Math.max(0, end - start - 1)
  for (let i = start; i < end; i++) bytes += Buffer.byteLength(events[i] as string, 'utf8')
  return bytes
}

/**
 * Writes events[start, end) as one UTF-8 JSON array to the start of `target` (large enough)
 * and returns that part: each event read once, nothing joined into a large string first.
 */
export function encodeJsonArray (events: readonly string[], start: number, end: number, target: Buffer): Buffer {
  target[0] = OPEN_BRACKET
  let offset = 1
  for (let i = start; i < end; i++) {
    if (i > start) target[offset++] = COMMA
    offset += target.write(events[i] as string, offset, 'utf8')
  }
  target[offset++] = CLOSE_BRACKET
  return target.subarray(0, offset)
}

/**
 * Ranges [start, end) of events from `from` whose JSON array fits in `maxBytes`. Sizes are
 * measured only when the whole rest might not fit (the bound says so): the common batch is one
 * range, found without reading an event. An event too large on its own gets a range of its
 * own: the server decides, and a 413 drops it.
 */
export function jsonArrayRanges (events: readonly string[], from: number, maxBytes: number): Array<[number, number]> {
  if (from >= events.length) return []
  if (jsonArrayBound(events, from, events.length) <= maxBytes) return [[from, events.length]]
  const ranges: Array<[number, number]> = []
  let start = from
  let bytes = 2
  for (let i = from; i < events.length; i++) {
    const size = Buffer.byteLength(events[i] as string, 'utf8')
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
