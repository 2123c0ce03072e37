import type { IncomingMessage } from 'node:http'

const USER_KEYS = ['username', 'name', 'id'] as const

/**
 * Passport's convention: `req.user` is the authenticated user, a string or an object whose
 * `username`, `name` or `id` names it. Nothing else (no e-mail) is guessed at.
 */
export function defaultUser (req: IncomingMessage): string | undefined {
  const user = (req as { user?: unknown }).user
  if (typeof user === 'string') return user === '' ? undefined : user
  if (typeof user !== 'object' || user === null) return undefined
  for (const key of USER_KEYS) {
    const value = (user as Record<string, unknown>)[key]
    if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))) return String(value)
  }
  return undefined
}

/** Asks `resolve` safely: a throwing or odd resolver gives no user, never an error. */
export function resolveUser (resolve: (req: IncomingMessage) => unknown, req: IncomingMessage): string | undefined {
  try {
    const user = resolve(req)
    if (typeof user === 'string') return user === '' ? undefined : user
    if (typeof user === 'number' && Number.isFinite(user)) return String(user)
    return undefined
  } catch {
    return undefined
  }
}
