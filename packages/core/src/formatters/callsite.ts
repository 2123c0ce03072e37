import { dirname, join, sep } from 'node:path'

/** Where the application called the logger: `func_name`, `line`, `path`. */
export interface Callsite {
  func_name: string
  line: number
  path: string
}

// Frames from this package (and the adapters, which live beside it) are not the caller;
// with source maps on (--enable-source-maps), they name src/ rather than dist/.
const PACKAGE_DIR = dirname(dirname(__dirname))
const OWN_DIRS = [join(PACKAGE_DIR, 'dist') + sep, join(PACKAGE_DIR, 'src') + sep]
const SCOPE_MARKER = `${sep}@logstash-async${sep}`
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/

/**
 * Finds the first stack frame outside this library. Costs a stack capture per event,
 * which is why `callsite` is opt-in.
 */
export function findCallsite (): Callsite | undefined {
  const holder: { stack?: string } = {}
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 30
  try {
    Error.captureStackTrace(holder, findCallsite)
  } finally {
    Error.stackTraceLimit = limit
  }
  const lines = holder.stack?.split('\n') ?? []
  for (let i = 1; i < lines.length; i++) {
    const match = FRAME.exec(lines[i] as string)
    if (match === null) continue
    const path = match[2] as string
    if (OWN_DIRS.some((dir) => path.startsWith(dir)) || path.includes(SCOPE_MARKER) || path.startsWith('node:')) continue
    return { func_name: match[1] ?? '<anonymous>', line: Number(match[3]), path }
  }
  return undefined
}
