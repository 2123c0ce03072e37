import type * as Http from 'node:http'
import { ConfigurationError } from './errors'
import { lazyBuiltin } from './lazy-builtin'
import { DEFAULTS } from './defaults'
import { checkBoolean, checkInteger, checkOneOf, checkPlainObject, checkString, fail, warnUnknownKeys } from './validate'

// The option groups of the handler (tls, http, beats, cache, sqlite, retry): their types and
// how each is validated and resolved.

// Loaded only to check the names and values of `http.headers`.
const httpModule = lazyBuiltin<typeof Http>('node:http')

/** Longest delay a timer takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1

type PemInput = string | Buffer | ReadonlyArray<string | Buffer>

/** TLS for the tcp, beats and http transports; passed through to `tls.connect`. */
export interface TlsOptions {
  /** Trusted CA certificates (PEM). @default Node's bundled roots */
  ca?: PemInput
  /** Client certificate chain (PEM), for mutual TLS. */
  cert?: PemInput
  /** Client private key (PEM), for mutual TLS. */
  key?: PemInput
  /** Passphrase of `key`. */
  passphrase?: string
  /** Server name for SNI and the certificate check. @default the `host` option, unless it is an IP address */
  servername?: string
  /** Refuse servers whose certificate does not verify. @default true */
  rejectUnauthorized?: boolean
  /** Lowest TLS version to accept. @default Node's default ('TLSv1.2') */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'
}

/** Options of the http transport. */
export interface HttpOptions {
  /** Request path. @default '/' */
  path?: string
  /** Basic auth user. */
  username?: string
  /** Basic auth password. */
  password?: string
  /** Extra request headers. */
  headers?: Record<string, string>
  /** Gzip request bodies. @default false */
  gzip?: boolean
  /** Largest request body in bytes; bigger batches are split. @default 104857600 (100 MiB) */
  maxContentLength?: number
}

/** Options of the beats (Lumberjack v2) transport. */
export interface BeatsOptions {
  /** Events per window, acknowledged together. @default 1000 */
  windowSize?: number
  /** zlib level of the window's `2C` frame; 0 sends plain `2J` frames. @default 3 (as Filebeat) */
  compressionLevel?: number
}

/** Bounds of the cache the handler creates. */
export interface CacheLimits {
  /** Most events held (pending and in flight); over it the oldest are dropped and counted. @default 100000 */
  maxEvents?: number
  /** Most bytes of formatted events held; over it the oldest are dropped and counted. @default unbounded */
  maxBytes?: number
}

/** Options of the SQLite cache (`databasePath`). */
export interface SqliteOptions {
  /**
   * How long rows a process holds (on the wire, or written while still in its memory) stay
   * its own unless it renews them. Rows of a sender that died on this machine are freed at
   * once; one on another machine sharing the file frees its rows when the lease runs out.
   * Keep it well above a send's longest time.
   * @default 60000, or 3 x timeoutMs when that is longer
   */
  leaseMs?: number
  /**
   * Longest wait for another connection's lock on the file, in the cache's own thread (the
   * main thread waits only in the last write on exit); a write that waited longer is
   * reported, its events stay in memory and the next tick tries again. @default 1000
   */
  busyTimeoutMs?: number
  /** Run `VACUUM` on close, giving the space of delivered events back to the file system. @default false */
  vacuum?: boolean
}

/**
 * Backoff of a host after a failure: exponential from `initialDelayMs` with jitter, capped
 * at `maxReconnectDelayMs` when no connection could be made (a refused connect costs almost
 * nothing, and a short cap brings delivery back soon after an outage) and at `maxDelayMs`
 * when the receiver took the connection but the send failed (an HTTP 503, a missing Beats
 * ACK: retrying sends the batch again, so it backs off further).
 */
export interface RetryOptions {
  /** @default 100 */
  initialDelayMs?: number
  /** Longest wait before sending again after a failed send. @default 30000 */
  maxDelayMs?: number
  /** Longest wait before connecting again after a failed connection attempt. @default 2000 */
  maxReconnectDelayMs?: number
}

export interface ResolvedTlsOptions extends TlsOptions { rejectUnauthorized: boolean }

export interface ResolvedHttpOptions {
  path: string
  username?: string
  password?: string
  headers: Readonly<Record<string, string>>
  gzip: boolean
  maxContentLength: number
}

/** The bounds of the cache the handler creates, resolved. */
export interface ResolvedCacheLimits {
  maxEvents: number
  maxBytes: number | undefined
}

export function resolveTls (value: unknown): ResolvedTlsOptions | undefined {
  if (value === undefined || value === false) return undefined
  if (value === true) return Object.freeze({ rejectUnauthorized: true })
  const tls = checkPlainObject('tls', value) as TlsOptions
  warnUnknownKeys('tls', tls as Record<string, unknown>,
    ['ca', 'cert', 'key', 'passphrase', 'servername', 'rejectUnauthorized', 'minVersion'])
  for (const key of ['ca', 'cert', 'key'] as const) {
    const pem = tls[key]
    if (pem !== undefined && !isPem(pem)) fail(`tls.${key}`, 'a PEM string, a Buffer or an array of them', pem)
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    fail(tls.cert === undefined ? 'tls.cert' : 'tls.key', 'set together with ' + (tls.cert === undefined ? 'tls.key' : 'tls.cert') + ' for mutual TLS', undefined)
  }
  if (tls.passphrase !== undefined) checkString('tls.passphrase', tls.passphrase, { allowEmpty: true })
  if (tls.servername !== undefined) checkString('tls.servername', tls.servername)
  if (tls.minVersion !== undefined) checkOneOf('tls.minVersion', tls.minVersion, ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])
  return Object.freeze({
    ...tls,
    rejectUnauthorized: checkBoolean('tls.rejectUnauthorized', tls.rejectUnauthorized ?? true)
  })
}

function isPem (value: unknown): boolean {
  const one = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v)
  return one(value) || (Array.isArray(value) && value.length > 0 && value.every(one))
}

export function resolveHttp (value: unknown): ResolvedHttpOptions {
  const http = (value === undefined ? {} : checkPlainObject('http', value)) as HttpOptions
  warnUnknownKeys('http', http as Record<string, unknown>, ['path', 'username', 'password', 'headers', 'gzip', 'maxContentLength'])
  const path = checkString('http.path', http.path ?? DEFAULTS.http.path)
  if (!path.startsWith('/')) fail('http.path', 'a path starting with "/"', path)
  if ((http.username === undefined) !== (http.password === undefined)) {
    fail(http.username === undefined ? 'http.username' : 'http.password', 'set together with ' + (http.username === undefined ? 'http.password' : 'http.username'), undefined)
  }
  const headers = http.headers === undefined ? {} : checkPlainObject('http.headers', http.headers)
  for (const [name, v] of Object.entries(headers)) {
    const value = checkString(`http.headers['${name}']`, v, { allowEmpty: true })
    try {
      httpModule().validateHeaderName(name)
      httpModule().validateHeaderValue(name, value)
    } catch (err) {
      throw new ConfigurationError(`http.headers['${name}'] must be a valid HTTP header: ${(err as Error).message}`, { cause: err })
    }
  }
  return Object.freeze({
    path,
    ...(http.username === undefined ? {} : { username: checkString('http.username', http.username) }),
    ...(http.password === undefined ? {} : { password: checkString('http.password', http.password, { allowEmpty: true }) }),
    headers: Object.freeze({ ...(headers as Record<string, string>) }),
    gzip: checkBoolean('http.gzip', http.gzip ?? DEFAULTS.http.gzip),
    maxContentLength: checkInteger('http.maxContentLength', http.maxContentLength ?? DEFAULTS.http.maxContentLength, 1)
  })
}

export function resolveBeats (value: unknown): Readonly<Required<BeatsOptions>> {
  const beats = (value === undefined ? {} : checkPlainObject('beats', value)) as BeatsOptions
  warnUnknownKeys('beats', beats as Record<string, unknown>, ['windowSize', 'compressionLevel'])
  return Object.freeze({
    windowSize: checkInteger('beats.windowSize', beats.windowSize ?? DEFAULTS.beats.windowSize, 1),
    compressionLevel: checkInteger('beats.compressionLevel', beats.compressionLevel ?? DEFAULTS.beats.compressionLevel, 0, 9)
  })
}

export function resolveCacheLimits (cache: CacheLimits): Readonly<ResolvedCacheLimits> {
  warnUnknownKeys('cache', cache as Record<string, unknown>, ['maxEvents', 'maxBytes'])
  return Object.freeze({
    maxEvents: checkInteger('cache.maxEvents', cache.maxEvents ?? DEFAULTS.cache.maxEvents, 1),
    maxBytes: cache.maxBytes === undefined ? undefined : checkInteger('cache.maxBytes', cache.maxBytes, 1)
  })
}

export function resolveSqlite (value: unknown, timeoutMs: number): Readonly<Required<SqliteOptions>> {
  const sqlite = (value === undefined ? {} : checkPlainObject('sqlite', value)) as SqliteOptions
  warnUnknownKeys('sqlite', sqlite as Record<string, unknown>, ['leaseMs', 'busyTimeoutMs', 'vacuum'])
  return Object.freeze({
    // A lease shorter than a send could let a second sender take rows still on the wire.
    leaseMs: checkInteger('sqlite.leaseMs', sqlite.leaseMs ?? Math.max(DEFAULTS.sqlite.leaseMs, 3 * timeoutMs), 1000, MAX_TIMER_MS),
    busyTimeoutMs: checkInteger('sqlite.busyTimeoutMs', sqlite.busyTimeoutMs ?? DEFAULTS.sqlite.busyTimeoutMs, 0, 60_000),
    vacuum: checkBoolean('sqlite.vacuum', sqlite.vacuum ?? DEFAULTS.sqlite.vacuum)
  })
}

export function resolveRetry (value: unknown): Readonly<Required<RetryOptions>> {
  const retry = (value === undefined ? {} : checkPlainObject('retry', value)) as RetryOptions
  warnUnknownKeys('retry', retry as Record<string, unknown>, ['initialDelayMs', 'maxDelayMs', 'maxReconnectDelayMs'])
  const initialDelayMs = checkInteger('retry.initialDelayMs', retry.initialDelayMs ?? DEFAULTS.retry.initialDelayMs, 1, MAX_TIMER_MS)
  const maxDelayMs = checkInteger('retry.maxDelayMs', retry.maxDelayMs ?? Math.max(DEFAULTS.retry.maxDelayMs, initialDelayMs), 1, MAX_TIMER_MS)
  if (maxDelayMs < initialDelayMs) fail('retry.maxDelayMs', `>= retry.initialDelayMs (${initialDelayMs})`, maxDelayMs)
  // A short maxDelayMs also shortens the reconnect cap (never longer than the resend one).
  const maxReconnectDelayMs = checkInteger('retry.maxReconnectDelayMs',
    retry.maxReconnectDelayMs ?? Math.min(maxDelayMs, Math.max(DEFAULTS.retry.maxReconnectDelayMs, initialDelayMs)), 1, MAX_TIMER_MS)
  if (maxReconnectDelayMs < initialDelayMs) fail('retry.maxReconnectDelayMs', `>= retry.initialDelayMs (${initialDelayMs})`, maxReconnectDelayMs)
  return Object.freeze({ initialDelayMs, maxDelayMs, maxReconnectDelayMs })
}
