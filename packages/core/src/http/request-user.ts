import type { RequestContext } from '../context'

/**
 * Makes `context.user` ask `resolve(request)` each time an event is logged, so the user is the
 * one known at that moment: authentication usually runs after the adapter's first hook. A
 * value assigned to `context.user` wins over the resolver. A resolver that throws, or gives
 * anything but a non-empty string or a finite number, means no user.
 */
export function defineUser<Req> (context: RequestContext, resolve: (request: Req) => unknown, request: Req): void {
  let assigned: string | undefined
  Object.defineProperty(context, 'user', {
    configurable: true,
    enumerable: true,
    get: () => assigned ?? userName(resolve, request),
    set: (value: string | undefined) => { assigned = value }
  })
}

function userName<Req> (resolve: (request: Req) => unknown, request: Req): string | undefined {
  try {
    const user = resolve(request)
    if (typeof user === 'string') return user === '' ? undefined : user
    if (typeof user === 'number' && Number.isFinite(user)) return String(user)
    return undefined
  } catch {
    return undefined
  }
}
