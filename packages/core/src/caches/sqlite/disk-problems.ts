import { CacheError } from '../../errors'

/** What went wrong with the file, in words a user can act on, and a stable code per kind. */
export interface DiskProblem {
  code: string
  reason: string
  /** The file is damaged: it is moved aside and a new one started. */
  corrupt: boolean
}

// Primary result codes: https://sqlite.org/rescode.html
const SQLITE_PERM = 3
const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6
const SQLITE_READONLY = 8
const SQLITE_IOERR = 10
const SQLITE_CORRUPT = 11
const SQLITE_FULL = 13
const SQLITE_CANTOPEN = 14
const SQLITE_NOTADB = 26
const SQLITE_IOERR_WRITE = 778

/** Sorts an error thrown by `node:sqlite` (or by the file system around it) into a `DiskProblem`. */
export function classify (err: unknown, busyTimeoutMs: number): DiskProblem {
  if (err instanceof CacheError) return { code: err.code, reason: err.message, corrupt: false }
  const text = (err as Error)?.message ?? String(err)
  const given = (err as { errcode?: unknown })?.errcode
  const errcode = typeof given === 'number' ? given : codeFromMessage(text)
  if (errcode === undefined) {
    const code = (err as NodeJS.ErrnoException)?.code
    return { code: 'LOGSTASH_CACHE', reason: code === undefined ? text : `${text} (${code})`, corrupt: false }
  }
  switch (errcode & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return { code: 'LOGSTASH_CACHE_LOCKED', reason: `the file stayed locked by another connection for longer than sqlite.busyTimeoutMs (${busyTimeoutMs} ms): ${text}`, corrupt: false }
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return { code: 'LOGSTASH_CACHE_READONLY', reason: `the file is read-only (check its permissions and those of its directory): ${text}`, corrupt: false }
    case SQLITE_FULL:
      return { code: 'LOGSTASH_CACHE_FULL', reason: `the disk is full: ${text}`, corrupt: false }
    case SQLITE_IOERR:
      return {
        code: errcode === SQLITE_IOERR_WRITE ? 'LOGSTASH_CACHE_FULL' : 'LOGSTASH_CACHE_IO',
        reason: errcode === SQLITE_IOERR_WRITE
          ? `a write failed, most likely a full disk or a file size limit: ${text}`
          : `${text} (SQLite extended code ${errcode})`,
        corrupt: false
      }
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return { code: 'LOGSTASH_CACHE_CORRUPT', reason: `the file is corrupt: ${text}`, corrupt: true }
    case SQLITE_CANTOPEN:
      return { code: 'LOGSTASH_CACHE_OPEN', reason: `cannot open the file (does its directory exist, and may this process write there?): ${text}`, corrupt: false }
    default:
      return { code: 'LOGSTASH_CACHE', reason: `${text} (SQLite code ${errcode})`, corrupt: false }
  }
}

// SQLite's own wording (sqlite3_errstr), for Node.js versions whose errors carry no `errcode`.
const MESSAGES: readonly [RegExp, number][] = [
  [/database is locked|database table is locked/, SQLITE_BUSY],
  [/readonly database/, SQLITE_READONLY],
  [/database or disk is full/, SQLITE_FULL],
  [/disk I\/O error/, SQLITE_IOERR],
  [/malformed|file is not a database/, SQLITE_CORRUPT],
  [/unable to open database file/, SQLITE_CANTOPEN]
]

function codeFromMessage (text: string): number | undefined {
  for (const [pattern, code] of MESSAGES) if (pattern.test(text)) return code
  return undefined
}
