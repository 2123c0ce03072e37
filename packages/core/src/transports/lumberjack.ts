import type * as Zlib from 'node:zlib'
import { promisify } from 'node:util'
import { lazyBuiltin } from '../lazy-builtin'
import type { ScratchBuffer } from './scratch-buffer'
import { separatedByteLength, type EventSource } from './event-source'

const zlib = lazyBuiltin<typeof Zlib>('node:zlib')
let deflateAsync: ((data: Buffer, options: Zlib.ZlibOptions) => Promise<Buffer>) | undefined

/** Lumberjack protocol version 2, as the first byte of every frame. */
const VERSION = 0x32 // '2'
const WINDOW = 0x57 // 'W'
const JSON_DATA = 0x4a // 'J'
const COMPRESSED = 0x43 // 'C'
const ACK = 0x41 // 'A'
const ACK_FRAME_BYTES = 6

const WINDOW_HEADER_BYTES = 6
const COMPRESSED_HEADER_BYTES = 6
const JSON_HEADER_BYTES = 10
/**
 * Output buffer of the deflate stream. Filling one is a round trip between the thread pool
 * and the event loop, and on a busy event loop each trip waits for a whole turn: a window of
 * 1000 typical events compresses to about 20 KB, one trip more than zlib's 16 KiB default.
 */
const DEFLATE_CHUNK_BYTES = 64 * 1024
/**
 * Windows up to this size (before compression) are compressed on the event loop. A trip
 * through libuv's thread pool and back costs a turn of the loop, several milliseconds while
 * the application logs, and with it a window waits three turns instead of one: Beats then
 * keeps up with a burst only half as well as plain TCP. Deflating 1000 events of 500 bytes
 * at level 3 takes about 0.4 ms (1.5 ms at level 6); a larger window goes to the thread
 * pool, so the event loop is never held for more than about a millisecond.
 */
export const SYNC_DEFLATE_MAX_BYTES = 1024 * 1024

/**
 * The bytes of one Lumberjack v2 window: `2W <count>`, then the events as `2J <seq> <len>
 * <json>` frames numbered 1..count, wrapped in one `2C <len> <zlib>` frame unless
 * `compressionLevel` is 0. Every integer is an unsigned 32-bit big-endian number.
 * A window up to SYNC_DEFLATE_MAX_BYTES is compressed on the event loop, a larger one on
 * libuv's thread pool.
 *
 * The frames are encoded into `scratch`'s buffer when it is free: an uncompressed window is
 * that buffer, to be released by the caller once the socket is done with it; a compressed
 * window is a buffer of its own, and the scratch is free again when this resolves.
 */
export async function encodeWindow (events: EventSource, start: number, end: number, compressionLevel: number, scratch: ScratchBuffer): Promise<Buffer> {
  const count = end - start
  if (compressionLevel === 0) {
    const target = scratch.take(WINDOW_HEADER_BYTES + jsonFramesBound(events, start, end)) ??
      Buffer.allocUnsafeSlow(WINDOW_HEADER_BYTES + jsonFramesByteLength(events, start, end))
    writeWindowHeader(target, count)
    return target.subarray(0, writeJsonFrames(events, start, end, target, WINDOW_HEADER_BYTES))
  }
  const target = scratch.take(jsonFramesBound(events, start, end)) ?? Buffer.allocUnsafeSlow(jsonFramesByteLength(events, start, end))
  const data = target.subarray(0, writeJsonFrames(events, start, end, target, 0))
  let compressed: Buffer
  try {
    // deflate (not deflateRaw): the zlib header is part of the protocol (Go's zlib reader expects it).
    if (data.length <= SYNC_DEFLATE_MAX_BYTES) {
      compressed = zlib().deflateSync(data, { level: compressionLevel, chunkSize: DEFLATE_CHUNK_BYTES })
    } else {
      deflateAsync ??= promisify(zlib().deflate)
      compressed = await deflateAsync(data, { level: compressionLevel, chunkSize: DEFLATE_CHUNK_BYTES })
    }
  } finally {
    // zlib has read the input once its callback ran, whatever the outcome.
    scratch.release(data, true)
  }
  const headers = Buffer.allocUnsafe(WINDOW_HEADER_BYTES + COMPRESSED_HEADER_BYTES)
  writeWindowHeader(headers, count)
  headers[WINDOW_HEADER_BYTES] = VERSION
  headers[WINDOW_HEADER_BYTES + 1] = COMPRESSED
  headers.writeUInt32BE(compressed.length, WINDOW_HEADER_BYTES + 2)
  return Buffer.concat([headers, compressed])
}

function writeWindowHeader (target: Buffer, count: number): void {
  target[0] = VERSION
  target[1] = WINDOW
  target.writeUInt32BE(count, 2)
}

/** Most bytes the `2J` frames of events[start, end) take (see `EventSource.bound`). */
function jsonFramesBound (events: EventSource, start: number, end: number): number {
  return (JSON_HEADER_BYTES - 1) * (end - start) + events.bound(start, end)
}

/** Exact bytes of the `2J` frames of events[start, end), for a window too large for the scratch buffer. */
function jsonFramesByteLength (events: EventSource, start: number, end: number): number {
  return (JSON_HEADER_BYTES - 1) * (end - start) + separatedByteLength(events, start, end)
}

/**
 * Writes `2J <seq> <len> <json>` for events[start, end), seq from 1, from `offset` of
 * `target` (large enough); returns the offset after the last frame. Each event is read
 * once: its length field is filled in after the event was written.
 */
function writeJsonFrames (events: EventSource, start: number, end: number, target: Buffer, offset: number): number {
  if (events.exact) return moveJsonFrames(events, start, end, target, offset)
  let at = offset
  for (let i = start; i < end; i++) {
    const length = events.copy(i, i + 1, target, at + JSON_HEADER_BYTES) - (at + JSON_HEADER_BYTES)
    writeJsonHeader(target, at, i - start + 1, length)
    at += JSON_HEADER_BYTES + length
  }
  return at
}

/**
 * The same for events whose sizes are known: all of them copied at once (mostly one copy:
 * see EventBytes) to the end of the frames' space, then each moved to its place behind its
 * header, front to back. An event followed by its separator takes 9 bytes less than its
 * frame, so starting 9 bytes per event in, each event is moved before anything overwrites it.
 * A move within the buffer (`copyWithin`) costs less than a copy from another, and the cache
 * is called once, not once per event.
 */
function moveJsonFrames (events: EventSource, start: number, end: number, target: Buffer, offset: number): number {
  let from = offset + (JSON_HEADER_BYTES - 1) * (end - start)
  events.copy(start, end, target, from, 0x0a)
  let at = offset
  for (let i = start; i < end; i++) {
    const length = events.byteLength(i)
    target.copyWithin(at + JSON_HEADER_BYTES, from, from + length)
    writeJsonHeader(target, at, i - start + 1, length)
    at += JSON_HEADER_BYTES + length
    from += length + 1
  }
  return at
}

function writeJsonHeader (target: Buffer, at: number, seq: number, length: number): void {
  target[at] = VERSION
  target[at + 1] = JSON_DATA
  target.writeUInt32BE(seq, at + 2)
  target.writeUInt32BE(length, at + 6)
}

/** Bytes from the server that are not a Lumberjack v2 ACK: most likely not a Beats input. */
export class LumberjackProtocolError extends Error {
  constructor (readonly bytes: Buffer) {
    super(`unexpected bytes from the server (${bytes.subarray(0, 8).toString('hex')}${bytes.length > 8 ? '...' : ''}), expected a Lumberjack v2 ACK; is this a Logstash beats input?`)
    this.name = 'LumberjackProtocolError'
  }
}

/**
 * Splits the server's byte stream into ACK frames (`2A <seq>`), which may arrive split
 * across or joined within TCP segments. Anything else throws `LumberjackProtocolError`.
 */
export class AckReader {
  #pending: Buffer = Buffer.alloc(0)

  /** The sequence numbers of the complete ACK frames in `chunk` and what came before it. */
  push (chunk: Buffer): number[] {
    const buffer = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    const acks: number[] = []
    let offset = 0
    while (buffer.length - offset >= 2) {
      if (buffer[offset] !== VERSION || buffer[offset + 1] !== ACK) throw new LumberjackProtocolError(buffer.subarray(offset))
      if (buffer.length - offset < ACK_FRAME_BYTES) break
      acks.push(buffer.readUInt32BE(offset + 2))
      offset += ACK_FRAME_BYTES
    }
    this.#pending = buffer.subarray(offset)
    return acks
  }
}
