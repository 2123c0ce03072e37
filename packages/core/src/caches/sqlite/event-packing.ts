/**
 * Events packed for the trip between the main thread and the SQLite thread: one
 * ArrayBuffer of UTF-8 bytes and the end offset of each event. Moved with postMessage's
 * transfer list, so nothing is copied on the way; a structured clone of an array of
 * strings costs several microseconds per event on the application's thread.
 */
export interface PackedEvents {
  bytes: ArrayBuffer
  /** End offset of each event in `bytes`; event i spans `ends[i - 1] ?? 0` to `ends[i]`. */
  ends: Uint32Array
}

/** Packs events (UTF-8). */
export function pack (events: readonly string[]): PackedEvents {
  const n = events.length
  const ends = new Uint32Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    total += Buffer.byteLength(events[i] as string)
    ends[i] = total
  }
  // Not from Buffer's shared pool: the ArrayBuffer must belong to this message alone.
  const buffer = Buffer.allocUnsafeSlow(total)
  let offset = 0
  for (let i = 0; i < n; i++) offset += buffer.write(events[i] as string, offset)
  return { bytes: buffer.buffer as ArrayBuffer, ends }
}

/** Packs byte strings (rows read from the file) without decoding them. */
export function packBytes (rows: readonly Uint8Array[]): PackedEvents {
  const n = rows.length
  const ends = new Uint32Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    total += (rows[i] as Uint8Array).byteLength
    ends[i] = total
  }
  const buffer = Buffer.allocUnsafeSlow(total)
  for (let i = 0; i < n; i++) buffer.set(rows[i] as Uint8Array, (ends[i] as number) - (rows[i] as Uint8Array).byteLength)
  return { bytes: buffer.buffer as ArrayBuffer, ends }
}

/** The events back as strings. */
export function unpack ({ bytes, ends }: PackedEvents): string[] {
  const buffer = Buffer.from(bytes)
  const events = new Array<string>(ends.length)
  let start = 0
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number
    events[i] = buffer.toString('utf8', start, end)
    start = end
  }
  return events
}

/** Event i as a view on the packed bytes (for binding as a BLOB), without copying. */
export function slice ({ bytes, ends }: PackedEvents, i: number): Uint8Array {
  const start = i === 0 ? 0 : ends[i - 1] as number
  return new Uint8Array(bytes, start, (ends[i] as number) - start)
}

/** Events handed over in one write, oldest first, with the time each was logged and, for rows written claimed, its sequence number. */
export interface EventsPayload {
  packed: PackedEvents
  times: Float64Array
  seqs: Float64Array
}

/** The buffers to list in postMessage's transfer list. */
export function transferables (packed: PackedEvents): ArrayBuffer[] {
  return [packed.bytes, packed.ends.buffer as ArrayBuffer]
}

/** Events, their times and (when given) their sequence numbers, ready to be sent to the SQLite thread. */
export function toPayload (events: readonly string[], times: readonly number[], seqs: readonly number[] = []): EventsPayload {
  return { packed: pack(events), times: Float64Array.from(times), seqs: Float64Array.from(seqs) }
}

/** The buffers of a payload, for postMessage's transfer list. */
export function transferList (payload: EventsPayload): ArrayBuffer[] {
  return [...transferables(payload.packed), payload.times.buffer as ArrayBuffer, payload.seqs.buffer as ArrayBuffer]
}
