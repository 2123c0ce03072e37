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
