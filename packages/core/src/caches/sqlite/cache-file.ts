import { renameSync, statSync } from 'node:fs'
import { CacheError, type LogstashError } from '../../errors'
import { classify, type DiskProblem } from './disk-problems'
import { loadSqlite, NewerSchemaError, openDatabase } from './schema'
import { RowStore } from './row-store'

// A file that could not be opened is tried again at most this often.
const REOPEN_INTERVAL_MS = 1000

export interface CacheFileOptions {
  path: string
  busyTimeoutMs: number
  /** Receives every problem, already worded for the user. */
  report: (err: LogstashError) => void
  /** Runs after each successful open, before the store is used. */
  onOpen: (store: RowStore) => void
  /** Runs when a corrupt file was replaced: claims and ids of the old one mean nothing now. */
  onReplaced: () => void
}

/**
 * The file behind the SQLite cache: opens it (again, after a failure, at most once a
 * second), turns errors into reports, and moves a corrupt file aside (never deleting it)
 * to start a new one.
 */
export class CacheFile {
  readonly #options: CacheFileOptions
  readonly #sqlite: ReturnType<typeof loadSqlite>
  #store: RowStore | undefined
  #identity: string | undefined
  #nextOpenAt = 0
  /** Bumped each time the file is replaced. */
  generation = 0

  constructor (options: CacheFileOptions) {
    this.#options = options
    // Throws the ConfigurationError naming the Node.js version needed, at construction.
    this.#sqlite = loadSqlite()
  }

  /** The open store, opening the file first when it is not open and a retry is due. */
  store (): RowStore | undefined {
    if (this.#store === undefined && Date.now() >= this.#nextOpenAt) this.#open()
    return this.#store
  }

  /** The open store, without trying to open. */
  get current (): RowStore | undefined { return this.#store }

  /** Reports what `err` means for the file, after `what` was attempted; handles corruption. Returns the problem. */
  fail (err: unknown, what: string): DiskProblem {
    const problem = classify(err, this.#options.busyTimeoutMs)
    let reason = problem.reason
    if (problem.corrupt) {
      const aside = this.#moveAside(reason, this.#identity)
      reason += aside === undefined ? '; reopening it' : `; moved it to ${aside} and started a new file`
    }
    this.#options.report(new CacheError(`SQLite cache ${this.#options.path}: ${what}: ${reason}`, { code: problem.code, cause: err }))
    if (problem.corrupt) this.#open()
    return problem
  }

  /** Closes the file for good (after an optional VACUUM); later `store()` calls open nothing. */
  close (vacuum: boolean): void {
    const store = this.#store
    this.#store = undefined
    this.#nextOpenAt = Infinity
    if (store === undefined) return
    if (vacuum) {
      try { store.vacuum() } catch (err) { this.fail(err, 'VACUUM on close failed') }
    }
    try { store.close() } catch (err) { this.fail(err, 'closing the file failed') }
  }

  #open (): void {
    const { path, busyTimeoutMs } = this.#options
    let corruption: string | undefined
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        this.#store = new RowStore(openDatabase(this.#sqlite, path, busyTimeoutMs))
      } catch (err) {
        const problem = classify(err, busyTimeoutMs)
        if (problem.corrupt && attempt === 0) {
          const aside = this.#moveAside(problem.reason, undefined)
          corruption = `${problem.reason}; moved it to ${aside ?? '(nowhere)'} and started a new file`
          if (aside !== undefined) continue
        }
        this.#nextOpenAt = err instanceof NewerSchemaError ? Infinity : Date.now() + REOPEN_INTERVAL_MS
        this.#options.report(new CacheError(`SQLite cache ${path}: ${problem.reason}; events are kept in memory (at most cache.maxEvents) and sent from there`, { code: problem.code, cause: err }))
        return
      }
      this.#identity = identityOf(path)
      if (corruption !== undefined) this.#options.report(new CacheError(`SQLite cache ${path}: ${corruption}`, { code: 'LOGSTASH_CACHE_CORRUPT' }))
      this.#options.onOpen(this.#store)
      return
    }
  }

  /** Renames a corrupt file (with its -wal and -shm) aside; returns the new name. */
  #moveAside (reason: string, identity: string | undefined): string | undefined {
    const { path } = this.#options
    const store = this.#store
    this.#store = undefined
    try { store?.close() } catch { /* it is corrupt */ }
    this.generation++
    this.#options.onReplaced()
    // Another process may have moved it aside and started a new file already: keep that one.
    if (identity !== undefined && identityOf(path) !== identity) return undefined
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
    try {
      renameSync(path, aside)
    } catch (err) {
      this.#options.report(new CacheError(`SQLite cache ${path}: ${reason}, and it could not be moved aside: ${(err as Error).message}`, { code: 'LOGSTASH_CACHE_CORRUPT', cause: err }))
      return undefined
    }
    for (const suffix of ['-wal', '-shm']) {
      try { renameSync(path + suffix, aside + suffix) } catch { /* absent */ }
    }
    return aside
  }
}

function identityOf (path: string): string | undefined {
  try {
    const stats = statSync(path)
    return `${stats.dev}:${stats.ino}`
  } catch {
    return undefined
  }
}
