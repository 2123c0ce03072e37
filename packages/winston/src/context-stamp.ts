import type { AsyncLocalStorage } from 'node:async_hooks'
import { requestContext, type RequestContext } from '@logstash-async/core'

/** Where an info object carries the request context of its log call. */
export const CONTEXT = Symbol.for('@logstash-async/winston.context')

const STAMPED = Symbol.for('@logstash-async/winston.stamping')

interface Writer {
  write (chunk: unknown, ...rest: unknown[]): boolean
  [STAMPED]?: true
}

/**
 * Makes `logger.write()` (what every winston log call and child logger ends in) stamp each
 * info object with the request context of the call. winston hands info objects to its
 * transports synchronously, in the caller's context, until a slow transport makes the
 * logger's stream buffer them: later they flow in whatever context drained the buffer, and
 * the stamp still names the right request. A symbol key: formats copy it (`Object.assign`),
 * JSON and other transports never see it. Installed once per logger.
 */
export function stampContextOnWrite (logger: unknown): void {
  const writer = logger as Writer | undefined
  if (typeof writer?.write !== 'function' || writer[STAMPED] === true) return
  const write = writer.write
  writer[STAMPED] = true
  writer.write = function stampedWrite (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'object' && chunk !== null && (chunk as { [CONTEXT]?: unknown })[CONTEXT] === undefined) {
      try {
        // null: logged outside any request, which must stay so when delivered inside one.
        (chunk as { [CONTEXT]?: RequestContext | null })[CONTEXT] = requestContext.get() ?? null
      } catch {
        // A frozen info object: it is delivered at once, in the caller's context.
      }
    }
    return write.call(this, chunk, ...rest)
  }
}

/** The context an info object was stamped with: a context, `null` for none, `undefined` when not stamped. */
export function stampedContext (info: object): RequestContext | null | undefined {
  const context = (info as { [CONTEXT]?: unknown })[CONTEXT]
  return typeof context === 'object' ? context as RequestContext | null : undefined
}

// The core's one store (context.ts keeps it under this global symbol for every copy of the core).
const STORE = Symbol.for('@logstash-async/core.requestContext')

/** Runs `fn` outside any request context, for an info object logged outside a request. */
export function outsideContext (fn: () => void): void {
  const storage = (globalThis as { [STORE]?: AsyncLocalStorage<unknown> })[STORE]
  if (storage === undefined) fn()
  else storage.exit(fn)
}
