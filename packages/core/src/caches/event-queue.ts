import { ArenaTexts, newSlots, StringTexts, type EventTexts, type QueueSlots } from './event-texts'

export type { QueueSlots } from './event-texts'

const NEWLINE = 0x0a

/**
 * A FIFO of events with O(1) push, shift and unshift: a growable ring buffer with
 * parallel slots for the event's text (see `EventTexts`: the strings, or with `bytes` their
 * UTF-8 outside V8's heap), its time, (when a byte bound is kept) its size and (when asked
 * for) a sequence number, so no object is allocated per event.
 */
export class EventQueue {
  readonly #texts: EventTexts
  readonly #arena: ArenaTexts | undefined
  #times: number[]
  #sizes: number[] | undefined
  #seqs: number[] | undefined
  #mask: number
  #head = 0
  #length = 0

  constructor ({ trackSizes, trackSeqs = false, bytes = false }: { trackSizes: boolean, trackSeqs?: boolean, bytes?: boolean }) {
    const capacity = 1024
    this.#arena = bytes ? new ArenaTexts(capacity) : undefined
    this.#texts = this.#arena ?? new StringTexts(capacity)
    this.#times = new Array<number>(capacity).fill(0)
    this.#sizes = trackSizes ? new Array<number>(capacity).fill(0) : undefined
    this.#seqs = trackSeqs ? new Array<number>(capacity).fill(0) : undefined
    this.#mask = capacity - 1
  }

  get length (): number { return this.#length }

  /**
   * Appends an event; returns its size: `size` as given, or where the queue keeps `bytes`,
   * its UTF-8 byte length as written (`size` is then not needed).
   */
  push (event: string, time: number, size: number, seq = 0): number {
    if (this.#length > this.#mask) this.#grow()
    const slot = (this.#head + this.#length) & this.#mask
    const written = this.#texts.store(slot, event)
    if (written >= 0) size = written
    this.#times[slot] = time
    if (this.#sizes !== undefined) this.#sizes[slot] = size
    if (this.#seqs !== undefined) this.#seqs[slot] = seq
    this.#length++
    return size
  }

  unshift (event: string, time: number, size: number, seq = 0): void {
    if (this.#length > this.#mask) this.#grow()
    this.#head = (this.#head - 1) & this.#mask
    const written = this.#texts.store(this.#head, event)
    if (written >= 0) size = written
    this.#times[this.#head] = time
    if (this.#sizes !== undefined) this.#sizes[this.#head] = size
    if (this.#seqs !== undefined) this.#seqs[this.#head] = seq
    this.#length++
  }

  /**
   * Puts events taken earlier back, from index `from` of the given arrays (oldest first,
   * ascending sequence numbers), where their sequence numbers place them: ahead of every
   * event never taken, and in order with events of other batches put back before them
   * (several batches may be on the wire, and fail in any order). Sequence numbers must be
   * tracked. Costs the events put back plus those of earlier batches they go behind.
   */
  restoreSorted (events: readonly string[], times: ArrayLike<number>, sizes: ArrayLike<number>, seqs: ArrayLike<number>, from = 0): void {
    const count = events.length - from
    if (count <= 0) return
    const last = seqs[events.length - 1] as number
    // Only events put back earlier can be older than one taken: the queue is sorted, and
    // an event never taken is newer than every event ever taken.
    const ahead: { events: string[], times: number[], sizes: number[], seqs: number[] } = { events: [], times: [], sizes: [], seqs: [] }
    let k = 0
    while (k < this.#length && this.#seqAt(k) < last) k++
    if (k > 0) this.shiftInto(k, ahead.events, ahead.times, ahead.sizes, ahead.seqs)
    const sized = this.#sizes !== undefined
    // Merge from the newest end, unshifting the newer of the two each time.
    let i = events.length - 1
    let j = k - 1
    while (i >= from || j >= 0) {
      if (j < 0 || (i >= from && (seqs[i] as number) > (ahead.seqs[j] as number))) {
        this.unshift(events[i] as string, times[i] as number, sized ? (sizes[i] ?? 0) : 0, seqs[i] as number)
        i--
      } else {
        this.unshift(ahead.events[j] as string, ahead.times[j] as number, sized ? (ahead.sizes[j] ?? 0) : 0, ahead.seqs[j] as number)
        j--
      }
    }
  }

  /** Time of the oldest event; only meaningful when `length > 0`. */
  peekTime (): number { return this.#times[this.#head] ?? 0 }

  /** Sequence number of the oldest event; only meaningful when `length > 0` and seqs are tracked. */
  peekSeq (): number { return this.#seqs?.[this.#head] ?? 0 }

  /** Sequence number of the newest event; only meaningful when `length > 0` and seqs are tracked. */
  peekLastSeq (): number { return this.#seqs?.[(this.#head + this.#length - 1) & this.#mask] ?? 0 }

  /** Removes the oldest event and returns its size (0 when sizes are not tracked). */
  dropFirst (): number {
    const head = this.#head
    this.#texts.release(head)
    this.#head = (head + 1) & this.#mask
    this.#length--
    return this.#sizes?.[head] ?? 0
  }

  /** Removes up to `max` of the oldest events into the given arrays, oldest first. */
  shiftInto (max: number, events: string[], times: number[], sizes: number[], seqs?: number[]): void {
    const n = Math.min(max, this.#length)
    for (let i = 0; i < n; i++) {
      const slot = this.#head
      events.push(this.#texts.read(slot))
      this.#texts.release(slot)
      times.push(this.#times[slot] as number)
      if (this.#sizes !== undefined) sizes.push(this.#sizes[slot] as number)
      if (this.#seqs !== undefined) seqs?.push(this.#seqs[slot] as number)
      this.#head = (slot + 1) & this.#mask
    }
    this.#length -= n
  }

  /**
   * Removes up to `max` of the oldest events, oldest first, as where their text is (read it
   * with `read()`, copy it with `copy()`, and `free()` the slots once done with them), not
   * as strings. Only for a queue that keeps `bytes`.
   */
  shiftSlots (max: number): QueueSlots {
    const arena = this.#arena as ArenaTexts
    const n = Math.min(max, this.#length)
    const slots = newSlots(n)
    for (let i = 0; i < n; i++) {
      const slot = this.#head
      arena.moveInto(slot, slots, i)
      slots.times[i] = this.#times[slot] as number
      slots.sizes[i] = this.#sizes?.[slot] ?? 0
      slots.seqs[i] = this.#seqs?.[slot] ?? 0
      this.#head = (slot + 1) & this.#mask
    }
    this.#length -= n
    return slots
  }

  /** The text of event `index` of `slots` (from `shiftSlots()`). */
  read (slots: QueueSlots, index: number): string {
    return (this.#arena as ArenaTexts).arena.read(slots.chunks[index] as number, slots.starts[index] as number, slots.lengths[index] as number)
  }

  /**
   * Copies events `start` to `end` of `slots` into `target` from `offset`, each followed by
   * `separator` if given; returns the offset after the last byte. The arena keeps each event
   * with a newline after it, and events written one after the other are taken one after the
   * other: with a separator, a batch is mostly one copy (each newline then replaced by the
   * separator unless it is one).
   */
  copy (slots: QueueSlots, start: number, end: number, target: Buffer, offset: number, separator?: number): number {
    const arena = (this.#arena as ArenaTexts).arena
    const { chunks, starts, lengths } = slots
    let at = offset
    if (separator === undefined) {
      for (let i = start; i < end; i++) {
        const from = starts[i] as number
        at += arena.copy(chunks[i] as number, from, from + (lengths[i] as number), target, at)
      }
      return at
    }
    let i = start
    while (i < end) {
      const chunk = chunks[i] as number
      const from = starts[i] as number
      let to = from + (lengths[i] as number) + 1
      i++
      while (i < end && chunks[i] === chunk && starts[i] === to) {
        to += (lengths[i] as number) + 1
        i++
      }
      at += arena.copy(chunk, from, to, target, at)
    }
    if (separator !== NEWLINE) {
      let line = offset
      for (let k = start; k < end; k++) {
        line += (lengths[k] as number) + 1
        target[line - 1] = separator
      }
    }
    return at
  }

  /** Ends the events of `slots`: their text may be reused. */
  free (slots: QueueSlots): void {
    const arena = (this.#arena as ArenaTexts).arena
    const { chunks } = slots
    let i = 0
    while (i < chunks.length) {
      const chunk = chunks[i] as number
      let count = 1
      while (++i < chunks.length && chunks[i] === chunk) count++
      arena.free(chunk, count)
    }
  }

  /**
   * Copies, oldest first, the events at the end of the queue whose sequence number is above
   * `seq` (sequence numbers must be tracked and ascending), leaving the queue as it is.
   */
  copyAfter (seq: number, events: string[], times: number[], seqs: number[]): void {
    const all = this.#seqs as number[]
    let from = this.#length
    while (from > 0 && (all[(this.#head + from - 1) & this.#mask] as number) > seq) from--
    for (let i = from; i < this.#length; i++) {
      const slot = (this.#head + i) & this.#mask
      events.push(this.#texts.read(slot))
      times.push(this.#times[slot] as number)
      seqs.push(all[slot] as number)
    }
  }

  #seqAt (index: number): number {
    return (this.#seqs as number[])[(this.#head + index) & this.#mask] as number
  }

  /** Removes every event. Events taken as slots keep their text until freed (a send may still copy it). */
  clear (): void {
    for (let i = 0; i < this.#length; i++) this.#texts.release((this.#head + i) & this.#mask)
    this.#head = 0
    this.#length = 0
  }

  #grow (): void {
    const capacity = this.#times.length * 2
    this.#texts.grow(capacity, this.#head, this.#length, this.#mask)
    const times = new Array<number>(capacity).fill(0)
    const sizes = this.#sizes === undefined ? undefined : new Array<number>(capacity).fill(0)
    const seqs = this.#seqs === undefined ? undefined : new Array<number>(capacity).fill(0)
    for (let i = 0; i < this.#length; i++) {
      const slot = (this.#head + i) & this.#mask
      times[i] = this.#times[slot] as number
      if (sizes !== undefined) sizes[i] = this.#sizes?.[slot] as number
      if (seqs !== undefined) seqs[i] = this.#seqs?.[slot] as number
    }
    this.#times = times
    this.#sizes = sizes
    this.#seqs = seqs
    this.#mask = capacity - 1
    this.#head = 0
  }
}
