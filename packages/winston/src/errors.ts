/**
 * The error of an info object, wherever winston put it: the info itself (`logger.error(err)`
 * without `format.errors()`), its `message` (`logger.log({ level, message: err })`), the splat
 * (`logger.error('charge failed', err)`: winston copies only the message and stack), an `err`
 * or `error` field, or, after `format.errors({ stack: true })`, which keeps no Error, its
 * `stack` (and `cause`). Returns the error and the keys of the info it came from.
 */
export function findError (info: Record<string | symbol, unknown>, splat: readonly unknown[] | undefined): { error: unknown, keys: readonly string[] } | undefined {
  if (info instanceof Error) return { error: info, keys: ['stack', 'cause'] }
  if (info.message instanceof Error) return { error: info.message, keys: ['stack', 'cause'] }
  if (splat !== undefined) {
    for (const value of splat) if (value instanceof Error) return { error: value, keys: ['stack', 'cause'] }
  }
  if (info.err instanceof Error) return { error: info.err, keys: ['err'] }
  if (info.error instanceof Error) return { error: info.error, keys: ['error'] }
  if (typeof info.stack === 'string' && info.stack !== '') return { error: errorFromStack(info.stack, info.cause), keys: ['stack', 'cause'] }
  return undefined
}

// `TypeError: bad card` → TypeError; what `format.errors({ stack: true })` leaves of the class.
const STACK_HEAD = /^([A-Za-z_$][\w$.]*)(?:: ([^\n]*))?/

function errorFromStack (stack: string, cause: unknown): Error {
  const head = STACK_HEAD.exec(stack)
  const error = new Error(head?.[2] ?? '')
  if (head?.[1] !== undefined) error.name = head[1]
  error.stack = stack
  if (cause !== undefined) error.cause = cause
  return error
}
