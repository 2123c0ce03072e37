/**
 * One `beforeExit` and one `exit` listener for all handlers (not one per handler, which
 * would trip Node's max-listeners warning). Handlers are held strongly until they are
 * closed: one the application no longer references may still hold undelivered events
 * (`pino(logstashDestination(new LogstashHandler()))` in a script's top level), and a
 * pending event's timer keeps only the worker, not the handler, so a weakly held one was
 * collected with its events and the exit flush never ran.
 */
export interface ExitParticipant {
  /** The event loop is empty: deliver what waits (may schedule work, which keeps the process up). */
  onBeforeExit (): void
  /** The process is exiting: synchronous work only. */
  onExit (): void
}

const participants = new Set<WeakRef<ExitParticipant>>()
const held = new Map<WeakRef<ExitParticipant>, ExitParticipant>()
let installed = false

export function registerForExit (participant: ExitParticipant): WeakRef<ExitParticipant> {
  const ref = new WeakRef(participant)
  participants.add(ref)
  held.set(ref, participant)
  if (!installed) {
    installed = true
    process.on('beforeExit', () => each((p) => p.onBeforeExit()))
    process.on('exit', () => each((p) => p.onExit()))
  }
  return ref
}

export function unregisterForExit (ref: WeakRef<ExitParticipant>): void {
  participants.delete(ref)
  held.delete(ref)
}

function each (fn: (p: ExitParticipant) => void): void {
  for (const ref of participants) {
    const participant = ref.deref()
    if (participant === undefined) { participants.delete(ref); continue }
    try {
      fn(participant)
    } catch {
      // Exit hooks must never turn a clean exit into a crash.
    }
  }
}

// What getActiveResourcesInfo() calls a write request under way.
const WRITE_REQUESTS: ReadonlySet<string> = new Set(['WriteWrap', 'SimpleWriteWrap', 'ShutdownWrap'])

/**
 * True when nothing but write requests keeps the event loop alive: no ref()ed timer,
 * server, socket, child process or file operation. A write to a receiver that stopped
 * reading is such a request, and it keeps the process alive even on an unref()ed socket,
 * so `beforeExit` never comes: this tells the handler that the application is done.
 *
 * `process.getActiveResourcesInfo()` also lists handles that are ref()ed but idle, which
 * do not keep the loop alive: the pipes or terminals of stdout and stderr are such, and are
 * not counted.
 */
export function onlyWritesKeepAlive (): boolean {
  const resources = process.getActiveResourcesInfo()
  const idleStdio = [stdioHandle(process.stdout), stdioHandle(process.stderr)]
  let others = 0
  for (const name of resources) {
    if (WRITE_REQUESTS.has(name)) continue
    const stdio = idleStdio.indexOf(name)
    if (stdio !== -1) { idleStdio.splice(stdio, 1); continue }
    others++
  }
  return others === 0 && resources.length > 0
}

/** What getActiveResourcesInfo() calls a stdio stream's handle: 'PipeWrap' or 'TTYWrap' (none for a file). */
function stdioHandle (stream: NodeJS.WriteStream): string | undefined {
  const handle = (stream as unknown as { _handle?: { constructor?: { name?: string } } })._handle
  const name = handle?.constructor?.name
  return name === 'Pipe' ? 'PipeWrap' : name === 'TTY' ? 'TTYWrap' : undefined
}
