import { EventArena } from './event-arena'

/**
 * Events taken from a queue as where their text is: parallel arrays, one entry per event,
 * all views of one buffer, so a batch of a thousand events is one allocation and no garbage
 * for V8 to copy while it is on the wire.
 */
export interface QueueSlots {
  readonly length: number
  readonly chunks: Int32Array
  readonly starts: Int32Array
  readonly lengths: Int32Array
  readonly sizes: Int32Array
  readonly times: Float64Array
  readonly seqs: Float64Array
}

export function newSlots (length: number): QueueSlots {
  // Int32 first (4 arrays of 4 bytes each: 16 per event), then the Float64 ones at an
  // offset that is a multiple of 8.
  const buffer = new ArrayBuffer(length * 32)
  return {
    length,
    chunks: new Int32Array(buffer, 0, length),
    starts: new Int32Array(buffer, length * 4, length),
    lengths: new Int32Array(buffer, length * 8, length),
    sizes: new Int32Array(buffer, length * 12, length),
    times: new Float64Array(buffer, length * 16, length),
    seqs: new Float64Array(buffer, length * 24, length)
  }
}

/** Where an `EventQueue` keeps the text of the event in each slot of its ring. */
export interface EventTexts {
  /** Keeps `text` in `slot`; returns its UTF-8 byte length where that is known, else -1. */
  store (slot: number, text: string): number
  read (slot: number): string
  /** The event in `slot` left the queue. */
  release (slot: number): void
  /** The ring grew to `capacity`: its `length` slots from `head` (wrapping at `mask`) move to 0 onwards. */
  grow (capacity: number, head: number, length: number, mask: number): void
}

/** The strings themselves: what a queue whose events soon leave as strings keeps (SQLite's buffer). */
export class StringTexts implements EventTexts {
  #texts: Array<string | undefined>

  constructor (capacity: number) {
    this.#texts = new Array<string | undefined>(capacity)
  }

  store (slot: number, text: string): number {
    this.#texts[slot] = text
    return -1
  }

  read (slot: number): string { return this.#texts[slot] as string }

  release (slot: number): void { this.#texts[slot] = undefined }

  grow (capacity: number, head: number, length: number, mask: number): void {
    const texts = new Array<string | undefined>(capacity)
    for (let i = 0; i < length; i++) texts[i] = this.#texts[(head + i) & mask]
    this.#texts = texts
  }
}

/**
 * UTF-8 in an `EventArena`, outside V8's heap: the memory cache's events, which wait through
 * garbage collections and leave as bytes for the transports (see EventArena).
 */
export class ArenaTexts implements EventTexts {
  readonly arena = new EventArena()
  #chunks: number[]
  #starts: number[]
  #lengths: number[]

  constructor (capacity: number) {
    this.#chunks = new Array<number>(capacity).fill(0)
    this.#starts = new Array<number>(capacity).fill(0)
    this.#lengths = new Array<number>(capacity).fill(0)
  }

  store (slot: number, text: string): number {
    const arena = this.arena
    const bytes = arena.write(text)
    this.#lengths[slot] = bytes
    this.#chunks[slot] = arena.lastChunk
    this.#starts[slot] = arena.lastStart
    return bytes
  }

  read (slot: number): string {
    return this.arena.read(this.#chunks[slot] as number, this.#starts[slot] as number, this.#lengths[slot] as number)
  }

  release (slot: number): void { this.arena.free(this.#chunks[slot] as number, 1) }

  /** UTF-8 bytes of the event in `slot`. */
  byteLength (slot: number): number { return this.#lengths[slot] as number }

  /** Puts where the event in `slot` is at `index` of `slots` (the queue adds its time, size and seq); the text stays. */
  moveInto (slot: number, slots: QueueSlots, index: number): void {
    slots.chunks[index] = this.#chunks[slot] as number
    slots.starts[index] = this.#starts[slot] as number
    slots.lengths[index] = this.#lengths[slot] as number
  }

  grow (capacity: number, head: number, length: number, mask: number): void {
    const chunks = new Array<number>(capacity).fill(0)
    const starts = new Array<number>(capacity).fill(0)
    const lengths = new Array<number>(capacity).fill(0)
    for (let i = 0; i < length; i++) {
      const slot = (head + i) & mask
      chunks[i] = this.#chunks[slot] as number
      starts[i] = this.#starts[slot] as number
      lengths[i] = this.#lengths[slot] as number
    }
    this.#chunks = chunks
    this.#starts = starts
    this.#lengths = lengths
  }
}
