/**
 * Waits until `condition()` is true, checking after every turn of the event loop's
 * I/O phase (setImmediate), for at most `timeoutMs`. Not a sleep: it returns as soon as
 * the condition holds, and fails with `message` when it never does.
 */
export async function waitFor (condition: () => boolean, { timeoutMs = 5000, message = 'condition' }: { timeoutMs?: number, message?: string | (() => string) } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof message === 'function' ? message() : message}`)
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 2))
  }
}

/** Resolves with the first emission of `event`, or rejects after `timeoutMs`. */
export function once<T = unknown> (emitter: NodeJS.EventEmitter, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, onEvent)
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${event}'`))
    }, timeoutMs)
    const onEvent = (value: T): void => { clearTimeout(timer); resolve(value) }
    emitter.once(event, onEvent)
  })
}
