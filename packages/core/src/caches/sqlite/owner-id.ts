import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'

/*
 * Who claimed a row: "host/pid/process start/random". The random part tells apart two
 * caches of one process; host and pid let a cache on the same machine see at once that a
 * claimer died (kill -9, OOM) instead of waiting for its lease to run out, so rows it left
 * in flight are sent again first, in order. The process start tells a restarted process
 * that got the same pid (pid 1 in a container) from the one that crashed.
 */

const SEPARATOR = '/'
const processStart = String(Math.round(performance.timeOrigin))
const host = safeHostname()

/** A new owner id for one cache instance. */
export function newOwnerId (): string {
  return [host, process.pid, processStart, randomBytes(6).toString('hex')].join(SEPARATOR)
}

/**
 * True only when `owner` surely belongs to a process that no longer runs: one on this
 * machine whose pid is gone, or this very pid in an earlier life. Owners on other machines
 * are never declared dead here; their leases expire instead.
 */
export function isDeadOwner (owner: string): boolean {
  const [ownerHost, pidText, start] = owner.split(SEPARATOR)
  if (ownerHost !== host) return false
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return start !== processStart
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

function safeHostname (): string {
  try {
    return hostname().replaceAll(SEPARATOR, '_')
  } catch {
    return 'unknown'
  }
}
