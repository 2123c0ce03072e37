import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** What a response told its observer: headers when they are sent, body bytes as they are written. */
export interface ResponseObserver {
  /** The status line and headers were just sent, with these headers. */
  headersSent (headers: OutgoingHttpHeaders): void
}

/** The body bytes handed to a response so far, read at its end. */
export interface ResponseTap {
  /** Body bytes the application wrote: what a client got, or would have, for a complete response. */
  readonly bodyBytes: number
}

/**
 * Wraps `writeHead`, `write` and `end` of one response, so that every adapter learns the
 * same facts the same way:
 * - the headers sent, merged from `setHeader()` and the object `writeHead()` received:
 *   Fastify (and Nest on Fastify) hand theirs to `writeHead()` alone, where
 *   `res.getHeaders()` never sees them;
 * - the body bytes, counted as they are written: a streamed (chunked) response has no
 *   Content-Length to read. Counted before any compression the application adds later in
 *   its chain would see them only if that compression wraps `write` after this tap (it
 *   does when the adapter comes first, as it should): then the compressed bytes are counted.
 *
 * Node's own `end(chunk)` does not call `write()`, but other responses (light-my-request's,
 * behind `fastify.inject()`) do: a chunk given to `end()` is counted there, and not again in
 * the nested `write()`.
 */
export function tapResponse (res: ServerResponse, observer: ResponseObserver): ResponseTap {
  const tap = { bodyBytes: 0 }
  let ending = false
  const writeHead = res.writeHead
  const write = res.write
  const end = res.end

  res.writeHead = function tappedWriteHead (this: ServerResponse, ...args: unknown[]): ServerResponse {
    const result = (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
    try {
      observer.headersSent(sentHeaders(this, typeof args[1] === 'string' ? args[2] : args[1]))
    } catch {
      // Observing must never break the response.
    }
    return result
  } as ServerResponse['writeHead']

  res.write = function tappedWrite (this: ServerResponse, ...args: unknown[]): boolean {
    if (!ending) tap.bodyBytes += chunkBytes(args[0], args[1])
    return (write as (...a: unknown[]) => boolean).apply(this, args)
  } as ServerResponse['write']

  res.end = function tappedEnd (this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (!ending) tap.bodyBytes += chunkBytes(args[0], args[1])
    ending = true
    try {
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args)
    } finally {
      ending = false
    }
  } as ServerResponse['end']

  return tap
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
    for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value as string
  }
  return headers
}

function hasKeys (object: object): boolean {
  for (const _ in object) return true
  return false
}
