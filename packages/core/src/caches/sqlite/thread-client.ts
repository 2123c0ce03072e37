import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Ready, Reply, Report, Request, ThreadMessage, ThreadOptions } from './thread-protocol'

// A thread that died is started again at most this often; meanwhile calls get no reply.
const RESTART_INTERVAL_MS = 1000

type Pending = (reply: Reply | undefined) => void

/**
 * The main thread's side of the SQLite thread: numbered requests, one reply each. A call
 * resolves `undefined` when the thread died (the cache then keeps events in memory); the
 * thread is started again on a later call. The thread keeps the process alive only while
 * a call is under way or it is starting, never when idle.
 */
export class ThreadClient {
  readonly #options: ThreadOptions
  readonly #onMessage: (message: Ready | Report) => void
  readonly #calls = new Map<number, Pending>()
  #worker: Worker | undefined
  #starting = false
  #nextStartAt = 0
  #lastId = 0
  #closed = false

  constructor (options: ThreadOptions, onMessage: (message: Ready | Report) => void) {
    this.#options = options
    this.#onMessage = onMessage
    this.#start()
  }

  /** The id the next call will get (the exit path needs it to know what was confirmed). */
  newId (): number {
    return ++this.#lastId
  }

  /**
   * Sends a request with an id from `newId()`; resolves with its reply, or `undefined`.
   * Buffers in `transfer` move to the thread and are unusable here afterwards.
   */
  call (request: Request, transfer: ArrayBuffer[] = []): Promise<Reply | undefined> {
    if (this.#worker === undefined && !this.#closed && Date.now() >= this.#nextStartAt) this.#start()
    const worker = this.#worker
    if (worker === undefined) return Promise.resolve(undefined)
    return new Promise<Reply | undefined>((resolve) => {
      this.#calls.set(request.id, resolve)
      this.#updateRef()
      worker.postMessage(request, transfer)
    })
  }

  /** Stops the thread; calls still waiting resolve `undefined`. */
  async terminate (): Promise<void> {
    this.#closed = true
    const worker = this.#worker
    this.#worker = undefined
    this.#failCalls()
    if (worker === undefined) return
    // An unref'd worker's exit would not keep the process up: close() would never resolve.
    worker.ref()
    await worker.terminate()
  }

  #start (): void {
    this.#nextStartAt = Date.now() + RESTART_INTERVAL_MS
    const options = this.#options
    const worker = new Worker(join(__dirname, 'thread-main.js'), { workerData: options })
    this.#worker = worker
    this.#starting = true
    worker.on('message', (message: ThreadMessage) => {
      if (message.op === 'reply') {
        const resolve = this.#calls.get(message.id)
        this.#calls.delete(message.id)
        resolve?.(message)
        this.#updateRef()
        return
      }
      if (message.op === 'ready') { this.#starting = false; this.#updateRef() }
      this.#onMessage(message)
    })
    worker.on('error', (err) => {
      this.#onMessage({ op: 'report', code: 'LOGSTASH_CACHE', message: `SQLite cache ${options.path}: its thread failed (${err.message}); events stay in memory until it is started again` })
    })
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = undefined
      this.#starting = false
      this.#failCalls()
    })
    this.#updateRef()
  }

  #failCalls (): void {
    const calls = [...this.#calls.values()]
    this.#calls.clear()
    for (const resolve of calls) resolve(undefined)
  }

  #updateRef (): void {
    const worker = this.#worker
    if (worker === undefined) return
    if (this.#starting || this.#calls.size > 0) worker.ref()
    else worker.unref()
  }
}
