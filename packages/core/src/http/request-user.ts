import type { RequestContext } from '../context'

/** How a context's user is found: asked of the resolver, unless the application assigned one. */
interface UserSource {
  readonly resolve: (request: never) => unknown
  readonly request: unknown
  assigned: string | undefined
}

// The accessor's state lives on the context under a symbol, read by accessors shared by every
// context: no closures per request (V8 kept each request's objects through them for longer).
const kUser = Symbol('@logstash-async/core.user')
type WithUser = RequestContext & { [kUser]: UserSource }

/**
 * Makes `context.user` ask `resolve(request)` each time an event is logged, so the user is the
 * one known at that moment: authentication usually runs after the adapter's first hook. A
 * value assigned to `context.user` wins over the resolver. A resolver that throws, or gives
 * anything but a non-empty string or a finite number, means no user.
 */
export function defineUser<Req> (context: RequestContext, resolve: (request: Req) => unknown, request: Req): void {
  const source: UserSource = { resolve: resolve as (request: never) => unknown, request, assigned: undefined }
  Object.defineProperties(context, {
    [kUser]: { value: source },
    user: { configurable: true, enumerable: true, get: getUser, set: setUser }
  })
}

function getUser (this: WithUser): string | undefined {
  const source = this[kUser]
  return source.assigned ?? userName(source)
}

function setUser (this: WithUser, value: string | undefined): void {
  this[kUser].assigned = value
}

function userName (source: UserSource): string | undefined {
  try {
    const user = (source.resolve as (request: unknown) => unknown)(source.request)
    if (typeof user === 'string') return user === '' ? undefined : user
    if (typeof user === 'number' && Number.isFinite(user)) return String(user)
    return undefined
  } catch {
    return undefined
  }
}
