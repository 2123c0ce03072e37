/**
 * A batch whose encoding may take up to this many bytes is encoded into the buffer a
 * transport keeps between sends; a larger one gets a buffer of its own.
 */
export const SCRATCH_MAX_BYTES = 4 * 1024 * 1024

/**
 * Most UTF-8 bytes `text` can take: 3 per UTF-16 unit (a surrogate pair is 4 bytes for 2
 * units). Known without reading the string, so a rope that the formatter built is flattened
 * once, by the encoding, and not a second time to measure it (`Buffer.byteLength`).
 */
export function utf8Bound (text: string): number {
  return 3 * text.length
}

/**
 * The buffer a transport encodes its batches into, kept between sends. A fresh large
 * allocation per batch costs a page fault per 4 KiB on every send (bench/README.md has the
 * figures: 6.9 us per event against 0.05 for 1000 events of 560 bytes on the reference VM);
 * writing into a buffer whose pages are already mapped costs nothing of the kind.
 *
 * Up to `count` users at a time (sends under way together): `take()` hands out a kept
 * buffer that is free, else a fresh one, and `release()` gives it back. Bytes a socket may
 * still read (a write that failed or was abandoned) must be released as not reusable, so
 * that they are never overwritten.
 */
export class ScratchBuffer {
  readonly #buffers: Array<Buffer | undefined>
  readonly #busy: boolean[]

  /** `count`: how many buffers it keeps, one per send that may be under way at once. */
  constructor (count = 1) {
    this.#buffers = new Array<Buffer | undefined>(count).fill(undefined)
    this.#busy = new Array<boolean>(count).fill(false)
  }

  /**
   * A buffer of at least `bytes` (an upper bound of what will be written): a kept one if
   * one is free and the bound is at most SCRATCH_MAX_BYTES, else `undefined` (the caller
   * allocates the exact size itself).
   */
  take (bytes: number): Buffer | undefined {
    if (bytes > SCRATCH_MAX_BYTES) return undefined
    const slot = this.#busy.indexOf(false)
    if (slot === -1) return undefined
    let buffer = this.#buffers[slot]
    // A quarter more than needed, so batches that grow a little do not reallocate each time.
    // Pages never written are never touched: the bound's slack costs address space, not RAM.
    if (buffer === undefined || buffer.length < bytes) {
      buffer = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX_BYTES, bytes + (bytes >> 2)))
      this.#buffers[slot] = buffer
    }
    this.#busy[slot] = true
    return buffer
  }

  /**
   * Ends the use of `bytes` (a buffer `take()` gave, or a part of it; anything else is
   * ignored). `reusable: false` when something may still read them: the buffer is dropped.
   */
  release (bytes: Buffer, reusable: boolean): void {
    const slot = this.#buffers.findIndex((buffer) => buffer !== undefined && bytes.buffer === buffer.buffer)
    if (slot === -1) return
    this.#busy[slot] = false
    if (!reusable) this.#buffers[slot] = undefined
  }
}
