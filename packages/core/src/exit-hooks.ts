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
