import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** Told when a response sends its status line and headers. */
export interface ResponseObserver {
  /** The status and headers were just sent, with these headers. */
  headersSent (headers: OutgoingHttpHeaders): void
}

/** What a tapped response reports, read at its end. */
export interface ResponseTap {
  /** Body bytes the application wrote: what a client got, or would have, for a complete response. */
  readonly bodyBytes: number
  /** Stops telling the observer: called at the end of the request, so the response no longer holds it. */
  detach (): void
}

type Write = (this: ServerResponse, ...args: unknown[]) => unknown

class Tap implements ResponseTap {
  bodyBytes = 0
  ending = false
  observer: ResponseObserver | undefined
  readonly writeHead: Write
  readonly write: Write
  readonly end: Write

  constructor (res: ServerResponse, observer: ResponseObserver) {
    this.observer = observer
    this.writeHead = res.writeHead as Write
    this.write = res.write as Write
    this.end = res.end as Write
  }

  detach (): void { this.observer = undefined }
}

// One set of wrappers for every response, finding the response's tap through this symbol:
// no closures per response, and nothing kept alive by them once the request ended.
const kTap = Symbol('@logstash-async/core.responseTap')
type TappedResponse = ServerResponse & { [kTap]?: Tap }

/**
 * Wraps `writeHead`, `write` and `end` of one response, so that every adapter learns the
 * same facts the same way:
 * - the headers sent, merged from `setHeader()` and the object `writeHead()` received:
 *   Fastify (and Nest on Fastify) hand theirs to `writeHead()` alone, where
 *   `res.getHeaders()` never sees them;
 * - the body bytes, counted as they are handed to the response: a streamed (chunked)
 *   response has no Content-Length to read. A compression middleware mounted after the
 *   adapter wraps `write` over these wrappers, so the compressed bytes are counted.
 *
 * Node's own `end(chunk)` does not call `write()`, but other responses (light-my-request's,
 * behind `fastify.inject()`) do: a chunk given to `end()` is counted there, and not again in
 * the nested `write()`.
 */
export function tapResponse (res: ServerResponse, observer: ResponseObserver): ResponseTap {
  const tap = new Tap(res, observer)
  const tapped = res as TappedResponse
  tapped[kTap] = tap
  tapped.writeHead = tappedWriteHead as ServerResponse['writeHead']
  tapped.write = tappedWrite as ServerResponse['write']
  tapped.end = tappedEnd as ServerResponse['end']
  return tap
}

function tappedWriteHead (this: TappedResponse, ...args: unknown[]): unknown {
  const tap = this[kTap] as Tap
  const result = tap.writeHead.apply(this, args)
  if (tap.observer !== undefined) {
    try {
      tap.observer.headersSent(sentHeaders(this, typeof args[1] === 'string' ? args[2] : args[1]))
    } catch {
      // Observing must never break the response.
    }
  }
  return result
}

function tappedWrite (this: TappedResponse, ...args: unknown[]): unknown {
  const tap = this[kTap] as Tap
  if (!tap.ending) tap.bodyBytes += chunkBytes(args[0], args[1])
  return tap.write.apply(this, args)
}

function tappedEnd (this: TappedResponse, ...args: unknown[]): unknown {
  const tap = this[kTap] as Tap
  if (!tap.ending) tap.bodyBytes += chunkBytes(args[0], args[1])
  tap.ending = true
  try {
    return tap.end.apply(this, args)
  } finally {
    tap.ending = false
  }
}

function chunkBytes (chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    if (chunk.length === 0) return 0
    try {
      return Buffer.byteLength(chunk, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8')
    } catch {
      return Buffer.byteLength(chunk)
    }
  }
  if (ArrayBuffer.isView(chunk)) return chunk.byteLength
  return 0
}

/**
 * The headers a response sent. When the application set none with `setHeader()`, Node
 * sends the object `writeHead()` got without storing it, so it is read from there (an
 * object, or the flat `[name, value, name, value]` array Node also accepts).
 */
function sentHeaders (res: ServerResponse, given: unknown): OutgoingHttpHeaders {
  const stored = res.getHeaders()
  if (given === undefined || given === null || hasKeys(stored)) return stored
  const headers: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders
  if (Array.isArray(given)) {
    for (let i = 0; i + 1 < given.length; i += 2) headers[String(given[i]).toLowerCase()] = given[i + 1] as string
  } else if (typeof given === 'object') {
    for (const name in given) headers[name.toLowerCase()] = (given as Record<string, string>)[name]
  }
  return headers
}

function hasKeys (object: object): boolean {
  for (const _ in object) return true
  return false
}
