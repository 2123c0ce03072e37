import type { DatabaseSync } from 'node:sqlite'
import { CacheError, ConfigurationError } from '../../errors'
import { loadExperimentalBuiltin } from '../../experimental-builtin'

type SqliteModule = typeof import('node:sqlite')

/** The schema this release writes; a file with a higher version is left alone. */
export const SCHEMA_VERSION = 1

/**
 * `MIGRATIONS[i]` brings a file from version `i` to `i + 1`; a release that changes the
 * schema appends one, and older files are upgraded on open, in one transaction.
 *
 * - `events.event` is the event's UTF-8 bytes, kept as a BLOB: the SQLite thread moves bytes
 *   and never decodes them.
 * - `events.id` is AUTOINCREMENT so ids are never reused: they give the FIFO order across
 *   processes, and `flush()` relies on "no row with an id up to N is left".
 * - `owner`/`claim` are NULL while a row is pending; a sender sets them (and `lease_until`,
 *   ms since the epoch) when it takes the row, and deletes only rows with its own claim.
 *   A cache writes the events it still holds in memory claimed by itself, with the event's
 *   sequence number (> 0) as claim, so a run of them is one range; rows it takes from the
 *   file get negative claims.
 * - `totals` holds the row count and byte sum, kept in the same transactions that change
 *   `events`, so bounds and `pendingCount()` never scan the table.
 * - `events_claimed` holds only claimed rows (what senders hold in memory or on the wire,
 *   usually a tick's worth): finding a claim or a range of them, counting claimed rows and
 *   finding expired leases stay cheap. `events_pending_time` holds only pending rows, for
 *   the TTL (a row logged with an old time may come after newer ones). While Logstash keeps
 *   up, most events enter neither: they are delivered before a tick writes them.
 * - `writers` holds, per cache, the last write request it committed: on exit, the process
 *   writes what its SQLite thread had not confirmed, and this row tells exactly which
 *   requests are already in, so nothing is written twice.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     time INTEGER NOT NULL,
     size INTEGER NOT NULL,
     owner TEXT,
     claim INTEGER,
     lease_until INTEGER,
     event BLOB NOT NULL
   );
   CREATE INDEX events_claimed ON events (owner, claim) WHERE owner IS NOT NULL;
   CREATE INDEX events_pending_time ON events (time) WHERE owner IS NULL;
   CREATE TABLE totals (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     events INTEGER NOT NULL,
     bytes INTEGER NOT NULL
   );
   INSERT INTO totals (id, events, bytes) VALUES (1, 0, 0);
   CREATE TABLE writers (
     owner TEXT PRIMARY KEY,
     last_request INTEGER NOT NULL
   );`
]

/** Thrown when the file was written by a newer release: it is not touched. */
export class NewerSchemaError extends CacheError {
  constructor (path: string, version: number) {
    super(`SQLite cache ${path} has schema version ${version}, newer than this release understands (${SCHEMA_VERSION}); it is left untouched and events are kept in memory`, { code: 'LOGSTASH_CACHE_SCHEMA' })
  }
}

/**
 * `node:sqlite`, loaded only when a SQLite cache is created: Node.js >= 22.13 has it
 * without a flag. Older versions get a `ConfigurationError` saying so.
 */
export function loadSqlite (): SqliteModule {
  let sqlite: SqliteModule | undefined
  try {
    sqlite = loadExperimentalBuiltin<SqliteModule>('node:sqlite', 'SQLite')
  } catch {
    sqlite = undefined
  }
  if (sqlite === undefined) {
    throw new ConfigurationError(`databasePath needs node:sqlite, built into Node.js >= 22.13; this is Node.js ${process.version}. Upgrade Node.js, or leave databasePath unset to use the memory cache`)
  }
  return sqlite
}

/**
 * Opens (creating if needed) and migrates the file. WAL lets senders in other processes
 * read while one writes; `synchronous = NORMAL` is WAL's usual setting: a commit survives
 * the process being killed, only a power loss can take the last commits.
 */
export function openDatabase (sqlite: SqliteModule, path: string, busyTimeoutMs: number): DatabaseSync {
  const db = new sqlite.DatabaseSync(path)
  try {
    // A pragma rather than the constructor's `timeout`, which Node.js 22.13 lacks.
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
    setWal(db, busyTimeoutMs)
    db.exec('PRAGMA synchronous = NORMAL')
    migrate(db, path)
    return db
  } catch (err) {
    try { db.close() } catch { /* already unusable */ }
    throw err
  }
}

// Switching a new file to WAL needs it to itself, and SQLite answers "database is locked"
// at once, without its busy handler, while another connection opens it too: retry.
const WAL_RETRY_MS = 10

function setWal (db: DatabaseSync, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs
  for (;;) {
    try {
      db.exec('PRAGMA journal_mode = WAL')
      return
    } catch (err) {
      if (!/locked|busy/i.test((err as Error)?.message ?? '') || Date.now() >= deadline) throw err
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAL_RETRY_MS)
    }
  }
}

function migrate (db: DatabaseSync, path: string): void {
  if (readVersion(db) === SCHEMA_VERSION) return
  // IMMEDIATE: two processes opening a new file at once migrate it one after the other.
  db.exec('BEGIN IMMEDIATE')
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
    let version = readVersion(db)
    if (version > SCHEMA_VERSION) throw new NewerSchemaError(path, version)
    for (; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version] as string)
    db.exec('DELETE FROM schema_version')
    db.exec(`INSERT INTO schema_version (version) VALUES (${SCHEMA_VERSION})`)
    db.exec('COMMIT')
  } catch (err) {
    rollback(db)
    throw err
  }
}

function readVersion (db: DatabaseSync): number {
  const table = db.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get()
  if (table === undefined) return 0
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get()
  return typeof row?.version === 'number' ? row.version : 0
}

/** Rolls back if a transaction is open; SQLite already rolled back after some errors. */
export function rollback (db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK')
  } catch {
    // "no transaction is active": the failed statement ended it.
  }
}
