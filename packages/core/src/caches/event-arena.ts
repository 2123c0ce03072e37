/**
 * Bytes of this many events' worth are kept in one chunk: 1 MiB, a thousand or more events of
 * a usual size, so that chunks are few and a chunk frees soon after its events leave.
 */
export const ARENA_CHUNK_BYTES = 1024 * 1024

/** Chunks kept for reuse once their events left: pages already mapped, no fault to write them again. */
const SPARE_CHUNKS = 4

/**
 * Where a queue keeps the text of its events while they wait: UTF-8 bytes in large buffers
 * outside V8's heap, one chunk after another, and each chunk freed (or kept for reuse) when
 * its last event leaves.
 *
 * Why not the strings themselves: an event waits for a batch, often through several garbage
 * collections of V8's young generation, and every collection copies every string still
 * waiting (then promotes it, to be collected again by a full collection). In a burst tens of
 * thousands of events wait: the collector copied more than a megabyte per scavenge, the young
 * generation grew to its largest size, and main-thread CPU and memory followed
 * (packages/core/README.md, "Memory and CPU in a burst, or while Logstash is down"). Written here, the string dies young
 * (nearly free to collect); the bytes are copied once in and once out, as a send would encode
 * them anyway.
 *
 * An event is addressed by its chunk's id, its start and its length (plain numbers, no object
 * per event).
 */
export class EventArena {
  readonly #chunks: Array<Buffer | undefined> = []
  /** Events still held by each chunk. */
  readonly #live: number[] = []
  /** Ids of chunks with no buffer, to be given out again. */
  readonly #freeIds: number[] = []
  readonly #spares: Buffer[] = []
  #current = -1
  #offset = 0

  /** Chunk id of what `write()` wrote last; valid until the next write. */
  lastChunk = 0
  /** Start of what `write()` wrote last. */
  lastStart = 0

  /**
   * Writes `text` and a newline after it (a JSON line, ready to be copied as it is); returns
   * the byte length of `text`, and sets `lastChunk` and `lastStart`.
   */
  write (text: string): number {
    let current = this.#current === -1 ? undefined : this.#chunks[this.#current]
    // 3 bytes per UTF-16 unit is the most it can take: known without reading the string.
    let room = current === undefined ? -1 : current.length - this.#offset - 1
    if (3 * text.length > room) {
      const bytes = Buffer.byteLength(text)
      if (bytes > room) {
        if (bytes >= ARENA_CHUNK_BYTES) return this.#writeAlone(text, bytes)
        this.#retireCurrent()
        current = this.#spares.pop() ?? Buffer.allocUnsafeSlow(ARENA_CHUNK_BYTES)
        this.#current = this.#newId(current)
        this.#offset = 0
      }
    }
    const written = (current as Buffer).write(text, this.#offset)
    this.lastChunk = this.#current
    this.lastStart = this.#offset
    ;(current as Buffer)[this.#offset + written] = 0x0a
    this.#offset += written + 1
    this.#live[this.#current] = (this.#live[this.#current] as number) + 1
    return written
  }

  /** The text of the event at `chunk`, `start`, of `bytes` bytes. */
  read (chunk: number, start: number, bytes: number): string {
    return (this.#chunks[chunk] as Buffer).toString('utf8', start, start + bytes)
  }

  /** Copies bytes `start` to `end` of `chunk` into `target` at `offset`; returns how many. */
  copy (chunk: number, start: number, end: number, target: Buffer, offset: number): number {
    return (this.#chunks[chunk] as Buffer).copy(target, offset, start, end)
  }

  /** `count` events of `chunk` left: the chunk is freed once no event is left in it. */
  free (chunk: number, count: number): void {
    const live = (this.#live[chunk] as number) - count
    this.#live[chunk] = live
    if (live !== 0 || chunk === this.#current) return
    this.#dispose(chunk)
  }

  // An event larger than a chunk gets a buffer of its own, freed with it.
  #writeAlone (text: string, bytes: number): number {
    const buffer = Buffer.allocUnsafeSlow(bytes + 1)
    buffer.write(text, 0)
    buffer[bytes] = 0x0a
    this.lastChunk = this.#newId(buffer)
    this.lastStart = 0
    this.#live[this.lastChunk] = 1
    return bytes
  }

  #retireCurrent (): void {
    const current = this.#current
    if (current === -1) return
    this.#current = -1
    if (this.#live[current] === 0) this.#dispose(current)
  }

  #dispose (chunk: number): void {
    const buffer = this.#chunks[chunk] as Buffer
    if (buffer.length === ARENA_CHUNK_BYTES && this.#spares.length < SPARE_CHUNKS) this.#spares.push(buffer)
    this.#chunks[chunk] = undefined
    this.#freeIds.push(chunk)
  }

  #newId (buffer: Buffer): number {
    const id = this.#freeIds.pop() ?? this.#chunks.length
    this.#chunks[id] = buffer
    this.#live[id] = 0
    return id
  }
}
