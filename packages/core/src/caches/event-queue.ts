/**
 * A FIFO of events with O(1) push, shift and unshift: a growable ring buffer with
 * parallel slots for the event, its time, (when a byte bound is kept) its size and (when
 * asked for) a sequence number, so no object is allocated per event.
 */
export class EventQueue {
  #events: (string | undefined)[]
  #times: number[]
  #sizes: number[] | undefined
  #seqs: number[] | undefined
  #mask: number
  #head = 0
  #length = 0

  constructor ({ trackSizes, trackSeqs = false }: { trackSizes: boolean, trackSeqs?: boolean }) {
    const capacity = 1024
    this.#events = new Array<string | undefined>(capacity)
    this.#times = new Array<number>(capacity).fill(0)
    this.#sizes = trackSizes ? new Array<number>(capacity).fill(0) : undefined
    this.#seqs = trackSeqs ? new Array<number>(capacity).fill(0) : undefined
    this.#mask = capacity - 1
  }

  get length (): number { return this.#length }

  push (event: string, time: number, size: number, seq = 0): void {
    if (this.#length > this.#mask) this.#grow()
    const slot = (this.#head + this.#length) & this.#mask
    this.#events[slot] = event
    this.#times[slot] = time
    if (this.#sizes !== undefined) this.#sizes[slot] = size
    if (this.#seqs !== undefined) this.#seqs[slot] = seq
    this.#length++
  }

  unshift (event: string, time: number, size: number, seq = 0): void {
    if (this.#length > this.#mask) this.#grow()
    this.#head = (this.#head - 1) & this.#mask
    this.#events[this.#head] = event
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
  restoreSorted (events: readonly string[], times: readonly number[], sizes: readonly number[], seqs: readonly number[], from = 0): void {
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
    this.#events[head] = undefined
    this.#head = (head + 1) & this.#mask
    this.#length--
    return this.#sizes?.[head] ?? 0
  }

  /** Removes up to `max` of the oldest events into the given arrays, oldest first. */
  shiftInto (max: number, events: string[], times: number[], sizes: number[], seqs?: number[]): void {
    const n = Math.min(max, this.#length)
    for (let i = 0; i < n; i++) {
      const slot = this.#head
      events.push(this.#events[slot] as string)
      times.push(this.#times[slot] as number)
      if (this.#sizes !== undefined) sizes.push(this.#sizes[slot] as number)
      if (this.#seqs !== undefined) seqs?.push(this.#seqs[slot] as number)
      this.#events[slot] = undefined
      this.#head = (slot + 1) & this.#mask
    }
    this.#length -= n
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
      events.push(this.#events[slot] as string)
      times.push(this.#times[slot] as number)
      seqs.push(all[slot] as number)
    }
  }

  #seqAt (index: number): number {
    return (this.#seqs as number[])[(this.#head + index) & this.#mask] as number
  }

  clear (): void {
    this.#events.fill(undefined)
    this.#head = 0
    this.#length = 0
  }

  #grow (): void {
    const capacity = this.#events.length * 2
    const events = new Array<string | undefined>(capacity)
    const times = new Array<number>(capacity).fill(0)
    const sizes = this.#sizes === undefined ? undefined : new Array<number>(capacity).fill(0)
    const seqs = this.#seqs === undefined ? undefined : new Array<number>(capacity).fill(0)
    for (let i = 0; i < this.#length; i++) {
      const slot = (this.#head + i) & this.#mask
      events[i] = this.#events[slot]
      times[i] = this.#times[slot] as number
      if (sizes !== undefined) sizes[i] = this.#sizes?.[slot] as number
      if (seqs !== undefined) seqs[i] = this.#seqs?.[slot] as number
    }
    this.#events = events
    this.#times = times
    this.#sizes = sizes
    this.#seqs = seqs
    this.#mask = capacity - 1
    this.#head = 0
  }
}
