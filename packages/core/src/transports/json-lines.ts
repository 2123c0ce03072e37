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
export function jsonLinesByteLength (events: readonly string[]): number {
  let bytes = events.length
  for (const event of events) bytes += Buffer.byteLength(event)
  return bytes
}

/** Writes `events` as UTF-8 JSON lines to the start of `target` (large enough); returns that part. */
export function encodeJsonLines (events: readonly string[], target: Buffer): Buffer {
  let offset = 0
  for (const event of events) {
    offset += target.write(event, offset)
    target[offset++] = 0x0a
  }
  return target.subarray(0, offset)
}
