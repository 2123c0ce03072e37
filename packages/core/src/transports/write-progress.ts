import type { Socket } from 'node:net'
import { kernelBacklog } from './connect'

export interface WriteProgressOptions {
  /** No progress for this long: the write is stalled. */
  timeoutMs: number
  onStall: (stalled: boolean) => void
  /** Bytes of the write known to be in the kernel (the pieces whose callback came). */
  position: () => number
}

/**
 * Watches a write of a stream socket, handed over in pieces: whether the kernel still takes
 * its bytes, and how many of the current piece it took at the last look. A receiver that
 * reads slowly is alive; one that takes no byte for `timeoutMs` has stopped reading
 * (Logstash does while its pipeline is full): the write is stalled, not failed, and goes on.
 * Looks a few times per `timeoutMs`, on an unref()ed timer, while the write lasts, and
 * whenever asked (`sample()`): Node forgets the socket's handle before it reports an error.
 */
export class WriteProgress {
  readonly #socket: Socket
  readonly #options: WriteProgressOptions
  readonly #timer: NodeJS.Timeout
  /** Where the write was at the last look: the pieces done, and the bytes of the current one still waiting. */
  #position = 0
  #backlog: number | undefined
  #lastProgressAt = Date.now()
  #stalled = false

  constructor (socket: Socket, options: WriteProgressOptions) {
    this.#socket = socket
    this.#options = options
    const every = Math.max(10, Math.min(1000, Math.floor(options.timeoutMs / 4)))
    this.#timer = setInterval(() => this.#check(), every)
    this.#timer.unref()
  }

  get stalled (): boolean { return this.#stalled }

  /**
   * Bytes of the current piece still waiting for the kernel at the last look (`undefined`:
   * never seen). Plain TCP only: under TLS it counts encrypted records.
   */
  get backlog (): number | undefined { return this.#backlog }

  /**
   * Looks now; returns how the write moved since the last look: `'piece'` when the kernel
   * took a whole piece, `'bytes'` when only some bytes of the current one, else `'none'`.
   */
  sample (): 'piece' | 'bytes' | 'none' {
    const backlog = kernelBacklog(this.#socket)
    const position = this.#options.position()
    const moved = position > this.#position
      ? 'piece'
      : backlog !== undefined && this.#backlog !== undefined && backlog < this.#backlog ? 'bytes' : 'none'
    if (moved === 'piece') this.#backlog = undefined
    this.#position = position
    if (backlog !== undefined) this.#backlog = backlog
    if (moved !== 'none') this.#lastProgressAt = Date.now()
    // A stalled write counts as moving again only once the kernel took a whole piece: a
    // receiver that does not read still frees a few bytes now and then (the kernel compacts
    // its receive queue under memory pressure), and a host that trickles like that must not
    // take batches from a working one (failover keeps to the first usable host).
    if (moved === 'piece' && this.#stalled) {
      this.#stalled = false
      this.#options.onStall(false)
    }
    return moved
  }

  /** The write ended (either way): no more looks. */
  stop (): void {
    clearInterval(this.#timer)
    if (this.#stalled) {
      this.#stalled = false
      this.#options.onStall(false)
    }
  }

  #check (): void {
    if (this.sample() === 'none' && !this.#stalled && Date.now() - this.#lastProgressAt >= this.#options.timeoutMs) {
      this.#stalled = true
      this.#options.onStall(true)
    }
  }
}
