import type * as Zlib from 'node:zlib'
import { promisify } from 'node:util'
import { lazyBuiltin } from '../lazy-builtin'

const zlib = lazyBuiltin<typeof Zlib>('node:zlib')
let deflateAsync: ((data: Buffer, options: Zlib.ZlibOptions) => Promise<Buffer>) | undefined

/** Lumberjack protocol version 2, as the first byte of every frame. */
const VERSION = 0x32 // '2'
const WINDOW = 0x57 // 'W'
const JSON_DATA = 0x4a // 'J'
const COMPRESSED = 0x43 // 'C'
const ACK = 0x41 // 'A'
const ACK_FRAME_BYTES = 6

/**
 * The bytes of one Lumberjack v2 window: `2W <count>`, then the events as `2J <seq> <len>
 * <json>` frames numbered 1..count, wrapped in one `2C <len> <zlib>` frame unless
 * `compressionLevel` is 0. Every integer is an unsigned 32-bit big-endian number.
 * Compression runs on libuv's thread pool, off the event loop.
 */
export async function encodeWindow (events: readonly string[], compressionLevel: number): Promise<Buffer> {
  const header = Buffer.allocUnsafe(6)
  header[0] = VERSION
  header[1] = WINDOW
  header.writeUInt32BE(events.length, 2)
  const data = encodeJsonFrames(events)
  if (compressionLevel === 0) return Buffer.concat([header, data])
  // deflate (not deflateRaw): the zlib header is part of the protocol (Go's zlib reader expects it).
  deflateAsync ??= promisify(zlib().deflate)
  const compressed = await deflateAsync(data, { level: compressionLevel })
  const frame = Buffer.allocUnsafe(6)
  frame[0] = VERSION
  frame[1] = COMPRESSED
  frame.writeUInt32BE(compressed.length, 2)
  return Buffer.concat([header, frame, compressed])
}

/** `2J <seq> <len> <json>` for each event, seq from 1, in one buffer sized in one pass. */
export function encodeJsonFrames (events: readonly string[]): Buffer {
  const lengths = new Array<number>(events.length)
  let total = 0
  for (let i = 0; i < events.length; i++) {
    const length = Buffer.byteLength(events[i] as string, 'utf8')
    lengths[i] = length
    total += 10 + length
  }
  const buffer = Buffer.allocUnsafe(total)
  let offset = 0
  for (let i = 0; i < events.length; i++) {
    const length = lengths[i] as number
    buffer[offset] = VERSION
    buffer[offset + 1] = JSON_DATA
    buffer.writeUInt32BE(i + 1, offset + 2)
    buffer.writeUInt32BE(length, offset + 6)
    buffer.write(events[i] as string, offset + 10, length, 'utf8')
    offset += 10 + length
  }
  return buffer
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
