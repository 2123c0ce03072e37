import { Readable } from 'node:stream'

/**
 * The routes every adapter's app serves for the contract, each written the way its framework
 * is meant to be used, with the same observable behaviour:
 * - `GET /ok`: 200, body `ok`, header `x-answer: 42`, logs `in route`;
 * - `GET /stream`: 200, `STREAM_CHUNKS` streamed without a Content-Length;
 * - `GET /hang`: calls `control.enter()`, answers only after `control.release()`;
 * - `GET /fail`: throws `new Error('boom')` before anything is sent (500);
 * - `GET /fail-late`: streams `partial\n`, then its source fails with `Error('source failed')`;
 * - `GET /health`: 200, logs `health checked`; the adapter's `skip` option skips its access event.
 */
export const STREAM_CHUNKS: readonly string[] = ['chunk-1\n', 'chunk-2\n', 'chunk-3\n']
export const LATE_CHUNK = 'partial\n'
export const SKIPPED_PATH = '/health'

/** Lets a test hold a request inside its route, and know when it got there. */
export class RouteControl {
  readonly entered: Promise<void>
  readonly released: Promise<void>
  #enter!: () => void
  #release!: () => void

  constructor () {
    this.entered = new Promise((resolve) => { this.#enter = resolve })
    this.released = new Promise((resolve) => { this.#release = resolve })
  }

  enter (): void { this.#enter() }
  release (): void { this.#release() }
}

/**
 * A byte stream (not object mode) giving `chunks` one per turn of the event loop, then
 * ending, or failing with `failWith` once they are out.
 */
export function chunkedSource (chunks: readonly string[], failWith?: Error): Readable {
  let next = 0
  return new Readable({
    read () {
      setImmediate(() => {
        if (next < chunks.length) this.push(Buffer.from(chunks[next++] as string))
        else if (failWith !== undefined) this.destroy(failWith)
        else this.push(null)
      })
    }
  })
}

/** The `skip` option of every adapter: the health check gets no access event. */
export function isSkippedPath (url: string | undefined): boolean {
  return url === SKIPPED_PATH || url?.startsWith(`${SKIPPED_PATH}?`) === true
}
