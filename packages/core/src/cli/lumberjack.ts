import { inflateSync } from 'node:zlib'

/**
 * One Lumberjack frame, after a compressed frame was opened: what a Beats input sees.
 * Protocol: https://github.com/elastic/go-lumber (v2), as the beats transport speaks it:
 * `2W <count>` opens a window, `2J <seq> <len> <json>` carries one event, `2C <len> <zlib>`
 * holds J frames, and the receiver answers `2A <seq>` once it has the whole window. Every
 * integer is a big-endian uint32. `D` (key/value) frames of older shippers are read too.
 */
export type LumberjackFrame =
  | { type: 'window', version: number, size: number }
  | { type: 'json', version: number, seq: number, payload: Buffer }
  | { type: 'data', version: number, seq: number, fields: Record<string, string> }

/** The peer does not speak Lumberjack: the connection should be closed. */
export class LumberjackProtocolError extends Error {
  override name = 'LumberjackProtocolError'
}

/** Largest frame payload accepted; a bigger length field is garbage or an attack. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024
/** Largest decompressed `C` frame. */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024

const VERSIONS = new Set([0x31, 0x32]) // '1', '2'

interface Parsed { consumed: number, needed: number }

/**
 * Turns a byte stream into frames. `push()` takes whatever the socket delivered (frames
 * split anywhere, several per chunk) and returns the frames it completed; bytes of an
 * unfinished frame wait for the next chunk without being copied again and again.
 */
export class LumberjackDecoder {
  #chunks: Buffer[] = []
  #length = 0
  #needed = 2

  push (chunk: Buffer): LumberjackFrame[] {
    this.#chunks.push(chunk)
    this.#length += chunk.length
    if (this.#length < this.#needed) return []
    const buffer = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#length)
    const frames: LumberjackFrame[] = []
    const { consumed, needed } = parseFrames(buffer, frames, 0)
    const rest = buffer.subarray(consumed)
    this.#chunks = rest.length === 0 ? [] : [rest]
    this.#length = rest.length
    this.#needed = needed - consumed
    return frames
  }

  /** Bytes of an unfinished frame still waiting. */
  get pendingBytes (): number {
    return this.#length
  }
}

/** Builds the ACK of `seq`: `2A <seq>`. */
export function ackFrame (seq: number, version = 0x32): Buffer {
  const frame = Buffer.alloc(6)
  frame[0] = version
  frame[1] = 0x41 // 'A'
  frame.writeUInt32BE(seq, 2)
  return frame
}

// Parses every complete frame of `buffer`; `needed` is the byte count the next frame needs
// (at least) before parsing can go on.
function parseFrames (buffer: Buffer, out: LumberjackFrame[], depth: number): Parsed {
  let offset = 0
  for (;;) {
    const size = frameSize(buffer, offset)
    if (size === undefined || offset + size.total > buffer.length) {
      return { consumed: offset, needed: size === undefined ? offset + 6 : offset + size.total }
    }
    const version = buffer[offset] as number
    const type = buffer[offset + 1] as number
    const body = offset + 2
    switch (type) {
      case 0x57: // 'W'
        out.push({ type: 'window', version, size: buffer.readUInt32BE(body) })
        break
      case 0x4a: // 'J'
        out.push({ type: 'json', version, seq: buffer.readUInt32BE(body), payload: buffer.subarray(body + 8, offset + size.total) })
        break
      case 0x44: // 'D'
        out.push({ type: 'data', version, seq: buffer.readUInt32BE(body), fields: readPairs(buffer, body + 8, buffer.readUInt32BE(body + 4)) })
        break
      case 0x43: { // 'C'
        if (depth > 0) throw new LumberjackProtocolError('a compressed frame inside a compressed frame')
        let inflated: Buffer
        try {
          inflated = inflateSync(buffer.subarray(body + 4, offset + size.total), { maxOutputLength: MAX_INFLATED_BYTES })
        } catch (err) {
          throw new LumberjackProtocolError(`a compressed frame does not inflate: ${(err as Error).message}`)
        }
        const inner = parseFrames(inflated, out, depth + 1)
        if (inner.consumed !== inflated.length) throw new LumberjackProtocolError('a compressed frame ends inside a frame')
        break
      }
    }
    offset += size.total
  }
}

// The whole size of the frame at `offset`, or undefined while its header is incomplete.
function frameSize (buffer: Buffer, offset: number): { total: number } | undefined {
  if (buffer.length - offset < 2) return undefined
  const version = buffer[offset] as number
  const type = buffer[offset + 1] as number
  if (!VERSIONS.has(version)) throw new LumberjackProtocolError(`unknown protocol version byte 0x${version.toString(16)}`)
  const available = buffer.length - offset
  switch (type) {
    case 0x57: return { total: 6 } // W count
    case 0x4a: { // J seq len payload
      if (available < 10) return undefined
      return { total: 10 + checkLength(buffer.readUInt32BE(offset + 6)) }
    }
    case 0x43: { // C len payload
      if (available < 6) return undefined
      return { total: 6 + checkLength(buffer.readUInt32BE(offset + 2)) }
    }
    case 0x44: return dataFrameSize(buffer, offset)
    default:
      throw new LumberjackProtocolError(`unknown frame type 0x${type.toString(16)}`)
  }
}

function checkLength (length: number): number {
  if (length > MAX_FRAME_BYTES) throw new LumberjackProtocolError(`a frame of ${length} bytes is larger than ${MAX_FRAME_BYTES}`)
  return length
}

// D seq pairs (keylen key vallen value)*: its size is known only by walking the pairs.
function dataFrameSize (buffer: Buffer, offset: number): { total: number } | undefined {
  if (buffer.length - offset < 10) return undefined
  const pairs = buffer.readUInt32BE(offset + 6)
  let position = offset + 10
  for (let i = 0; i < pairs * 2; i++) {
    if (buffer.length - position < 4) return undefined
    position += 4 + checkLength(buffer.readUInt32BE(position))
    if (position - offset > MAX_FRAME_BYTES) throw new LumberjackProtocolError(`a data frame larger than ${MAX_FRAME_BYTES} bytes`)
  }
  return position > buffer.length ? undefined : { total: position - offset }
}

function readPairs (buffer: Buffer, start: number, pairs: number): Record<string, string> {
  const fields: Record<string, string> = {}
  let position = start
  for (let i = 0; i < pairs; i++) {
    const keyLength = buffer.readUInt32BE(position)
    const key = buffer.toString('utf8', position + 4, position + 4 + keyLength)
    position += 4 + keyLength
    const valueLength = buffer.readUInt32BE(position)
    fields[key] = buffer.toString('utf8', position + 4, position + 4 + valueLength)
    position += 4 + valueLength
  }
  return fields
}
