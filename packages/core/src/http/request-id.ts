import type * as Crypto from 'node:crypto'
import { lazyBuiltin } from '../lazy-builtin'

const crypto = lazyBuiltin<typeof Crypto>('node:crypto')

/** Header that carries the request id between services, unless an adapter is told otherwise. */
export const DEFAULT_REQUEST_ID_HEADER = 'x-request-id'

// Printable, no spaces or quotes, at most 200 characters: what UUIDs, ULIDs, AWS and
// Heroku request ids look like, and nothing that could forge a log line or flood a field.
const WELL_FORMED = /^[A-Za-z0-9._~:/+=@-]{1,200}$/

/** True when an incoming request id can be trusted as is. */
export function isWellFormedRequestId (value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED.test(value)
}

/**
 * The incoming id when it is well formed, else one from `generate` (when given, and when it
 * returns a non-empty string without throwing), else a new UUID. A header sent twice (an
 * array) counts as malformed: which one is right cannot be known.
 */
export function resolveRequestId<Req> (incoming: unknown, generate?: ((request: Req) => unknown) | undefined, request?: Req): string {
  if (isWellFormedRequestId(incoming)) return incoming
  if (generate !== undefined) {
    try {
      const generated = generate(request as Req)
      if (typeof generated === 'string' && generated !== '') return generated
    } catch {
      // A throwing generator costs the request nothing: a UUID it is.
    }
  }
  return crypto().randomUUID()
}
