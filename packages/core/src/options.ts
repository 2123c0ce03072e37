import type * as Http from 'node:http'
import { ConfigurationError, type LogstashError } from './errors'
import { lazyBuiltin } from './lazy-builtin'
import { TRANSPORT_NAMES, type Cache, type Formatter, type Transport, type TransportName } from './contracts'
import { LEVELS, type Level } from './levels'
import { readEnvironment } from './env'
import { parseHostAddress, type HostAddress } from './host-address'
import {
  checkBoolean, checkFunction, checkInteger, checkOneOf, checkPlainObject, checkString, fail,
  hasMethods, warnUnknownKeys
} from './validate'

export { TRANSPORT_NAMES, type TransportName } from './contracts'

// Loaded only to check the names and values of `http.headers`.
const httpModule = lazyBuiltin<typeof Http>('node:http')

/** Default port per transport: Logstash's conventional inputs. */
export const DEFAULT_PORTS: Readonly<Record<TransportName, number>> = Object.freeze({
  tcp: 5959, udp: 5959, beats: 5044, http: 8080
})

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

/** One entry of `hosts`: `'host'`, `'host:port'`, `'[ipv6]:port'`, or an object. */
export type HostEntry = string | { host: string, port?: number }

/** One Logstash host after validation. */
export interface ResolvedHost {
  readonly host: string
  readonly port: number
}

export interface HandlerOptions {
  /** Logstash host name, IPv4 or IPv6 address. @default 'localhost' (env `LOGSTASH_HOST`) */
  host?: string
  /** @default per transport: tcp 5959, udp 5959, beats 5044, http 8080 (env `LOGSTASH_PORT`); with `hosts`, the port of entries that name none */
  port?: number
  /**
   * Several Logstash hosts, instead of `host`: `['ls1:5044', '[::1]:5044', { host: 'ls3' }]`.
   * By default one at a time, the next when it fails (failover); see `loadBalance`.
   * @default none: `host` (env `LOGSTASH_HOSTS`, comma separated)
   */
  hosts?: readonly HostEntry[]
  /**
   * `false`: failover, batches go to the first healthy host in `hosts` order, to the next
   * when it fails, and back to the first once it is healthy again. `true`: batches are
   * spread over every healthy host, round robin.
   * @default false
   */
  loadBalance?: boolean
  /** Connections per host (HTTP: each with up to `pipelining` requests). @default 1 */
  workers?: number
  /**
   * Batches in flight per connection: Beats windows awaiting their ACK, HTTP requests
   * awaiting their answer, TCP batches queued behind the one being written. With 1, a batch
   * goes out only once the previous one is delivered.
   * @default 2
   */
  pipelining?: number
  /** The protocol, or your own `Transport`. @default 'tcp' (env `LOGSTASH_TRANSPORT`) */
  transport?: TransportName | Transport
  /** TLS for tcp, beats and http; `true` for defaults. Verification is on unless turned off. @default off (env `LOGSTASH_TLS=1`, `LOGSTASH_TLS_CA`) */
  tls?: boolean | TlsOptions
  /** Options of the http transport. */
  http?: HttpOptions
  /** Options of the beats transport. */
  beats?: BeatsOptions
  /** Record-to-string conversion. @default new LogstashFormatter() (env `LOGSTASH_FORMAT`) */
  formatter?: Formatter
  /** A file path selects the SQLite cache, which survives restarts. @default none: memory cache (env `LOGSTASH_DATABASE_PATH`) */
  databasePath?: string
  /** Bounds of the handler's cache, or your own `Cache`. With `databasePath` they bound the file. @default { maxEvents: 100000 } */
  cache?: CacheLimits | Cache
  /** Options of the SQLite cache, used with `databasePath`. */
  sqlite?: SqliteOptions
  /** Events older than this are deleted unsent and counted as expired. @default none */
  eventTtlMs?: number
  /** Longest wait before queued events are sent, in milliseconds. @default 200 */
  flushIntervalMs?: number
  /** Send at once when this many events wait. @default 500 */
  flushCount?: number
  /** Most events per send. @default 1000 */
  batchSize?: number
  /**
   * Connect, TLS handshake, HTTP response and Beats ACK timeout, in milliseconds. For a TCP
   * write it is the longest time without progress before the host counts as stalled (the
   * write goes on; other hosts take new batches).
   * @default 5000
   */
  timeoutMs?: number
  /** Backoff of a host after a failure. Sending never gives up: TTL and bounds decide what is dropped. */
  retry?: RetryOptions
  /** Most time `close()` (and the flush on `beforeExit`) spends delivering, in milliseconds. @default 10000 */
  closeTimeoutMs?: number
  /** Most reports per minute per kind of problem passed to `onError`. @default 5 */
  errorRateLimit?: number
  /** Receives delivery, cache and formatting problems; never called inside `log()`. @default a short line on stderr */
  onError?: (err: LogstashError) => void
  /** Events below this level are discarded before formatting. @default 'trace' (env `LOGSTASH_LEVEL`) */
  level?: Level
  /** `false` makes `log()` a no-op. @default true (env `LOGSTASH_ENABLED=0` disables) */
  enabled?: boolean
}

export const DEFAULTS = Object.freeze({
  host: 'localhost',
  loadBalance: false,
  workers: 1,
  pipelining: 2,
  transport: 'tcp' as TransportName,
  http: Object.freeze({ path: '/', gzip: false, maxContentLength: 100 * 1024 * 1024 }),
  beats: Object.freeze({ windowSize: 1000, compressionLevel: 3 }),
  cache: Object.freeze({ maxEvents: 100_000 }),
  sqlite: Object.freeze({ leaseMs: 60_000, busyTimeoutMs: 1000, vacuum: false }),
  flushIntervalMs: 200,
  flushCount: 500,
  batchSize: 1000,
  timeoutMs: 5000,
  retry: Object.freeze({ initialDelayMs: 100, maxDelayMs: 30_000, maxReconnectDelayMs: 2000 }),
  closeTimeoutMs: 10_000,
  errorRateLimit: 5,
  level: 'trace' as Level,
  enabled: true
})

export interface ResolvedTlsOptions extends TlsOptions { rejectUnauthorized: boolean }

export interface ResolvedHttpOptions {
  path: string
  username?: string
  password?: string
  headers: Readonly<Record<string, string>>
  gzip: boolean
  maxContentLength: number
}

/** Options after defaults, environment and validation: nothing downstream checks for `undefined`. */
export interface ResolvedOptions {
  /** The first of `hosts`. */
  readonly host: string
  /** The port of the first of `hosts`. */
  readonly port: number
  /** Every host, at least one: `hosts`, or `host` and `port`. */
  readonly hosts: readonly ResolvedHost[]
  readonly loadBalance: boolean
  readonly workers: number
  readonly pipelining: number
  readonly transport: TransportName | Transport
  readonly tls: ResolvedTlsOptions | undefined
  readonly http: ResolvedHttpOptions
  readonly beats: Readonly<Required<BeatsOptions>>
  /** `undefined` means: the handler creates the formatter `format` names. */
  readonly formatter: Formatter | undefined
  readonly format: 'logstash' | 'ecs'
  readonly serviceName: string | undefined
  readonly databasePath: string | undefined
  readonly cache: Readonly<{ maxEvents: number, maxBytes: number | undefined }> | Cache
  readonly sqlite: Readonly<Required<SqliteOptions>>
  readonly eventTtlMs: number | undefined
  readonly flushIntervalMs: number
  readonly flushCount: number
  readonly batchSize: number
  readonly timeoutMs: number
  readonly retry: Readonly<Required<RetryOptions>>
  readonly closeTimeoutMs: number
  readonly errorRateLimit: number
  readonly onError: ((err: LogstashError) => void) | undefined
  readonly level: Level
  readonly enabled: boolean
}

/** The names of every handler option: what an adapter passes on to the handler it creates. */
export const HANDLER_OPTION_NAMES: readonly (keyof HandlerOptions)[] = Object.freeze([
  'host', 'port', 'hosts', 'loadBalance', 'workers', 'pipelining', 'transport', 'tls', 'http', 'beats', 'formatter', 'databasePath', 'cache',
  'sqlite', 'eventTtlMs', 'flushIntervalMs', 'flushCount', 'batchSize', 'timeoutMs', 'retry',
  'closeTimeoutMs', 'errorRateLimit', 'onError', 'level', 'enabled'
])
const CACHE_METHODS = ['add', 'take', 'ack', 'release', 'expire', 'pendingCount', 'counts', 'close'] as const
const TRANSPORT_METHODS = ['send', 'close'] as const
const MAX_TIMER_MS = 2 ** 31 - 1
// A sanity bound for workers and pipelining: more would only exhaust sockets or memory.
const MAX_CONNECTIONS = 64

/**
 * Resolves options: what the code set wins, then the `LOGSTASH_*` environment, then
 * `DEFAULTS`. Throws a `ConfigurationError` naming the first wrong option.
 */
export function normalizeOptions (input: HandlerOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const options = checkPlainObject('options', input) as HandlerOptions
  warnUnknownKeys('LogstashHandler', options as Record<string, unknown>, HANDLER_OPTION_NAMES)
  const fromEnv = readEnvironment(env)
  const pick = <K extends keyof HandlerOptions>(key: K): HandlerOptions[K] =>
    options[key] !== undefined ? options[key] : ((fromEnv as Record<string, unknown>)[key] as HandlerOptions[K])

  const transport = resolveTransport(pick('transport') ?? DEFAULTS.transport)
  const port = pick('port')
  const formatter = options.formatter
  if (formatter !== undefined && !hasMethods(formatter, ['format'])) {
    fail('formatter', 'an object with a format(record, context) method', formatter)
  }
  const retry = resolveRetry(options.retry)
  const databasePath = pick('databasePath')
  const eventTtlMs = options.eventTtlMs
  const timeoutMs = checkInteger('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs, 1, MAX_TIMER_MS)

  const defaultPort = port === undefined
    ? (typeof transport === 'string' ? DEFAULT_PORTS[transport] : 0)
    : checkInteger('port', port, 1, 65535)
  const hosts = resolveHosts(options, fromEnv.hosts, fromEnv.host, defaultPort)
  const first = hosts[0] as ResolvedHost

  return Object.freeze({
    host: first.host,
    port: first.port,
    hosts,
    loadBalance: checkBoolean('loadBalance', options.loadBalance ?? DEFAULTS.loadBalance),
    workers: checkInteger('workers', options.workers ?? DEFAULTS.workers, 1, MAX_CONNECTIONS),
    pipelining: checkInteger('pipelining', options.pipelining ?? DEFAULTS.pipelining, 1, MAX_CONNECTIONS),
    transport,
    tls: resolveTls(pick('tls')),
    http: resolveHttp(options.http),
    beats: resolveBeats(options.beats),
    formatter,
    format: fromEnv.format ?? 'logstash',
    serviceName: fromEnv.serviceName,
    databasePath: databasePath === undefined ? undefined : checkString('databasePath', databasePath),
    cache: resolveCache(options.cache),
    sqlite: resolveSqlite(options.sqlite, timeoutMs),
    eventTtlMs: eventTtlMs === undefined ? undefined : checkInteger('eventTtlMs', eventTtlMs, 1),
    flushIntervalMs: checkInteger('flushIntervalMs', options.flushIntervalMs ?? DEFAULTS.flushIntervalMs, 0, MAX_TIMER_MS),
    flushCount: checkInteger('flushCount', options.flushCount ?? DEFAULTS.flushCount, 1),
    batchSize: checkInteger('batchSize', options.batchSize ?? DEFAULTS.batchSize, 1),
    timeoutMs,
    retry,
    closeTimeoutMs: checkInteger('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs, 0, MAX_TIMER_MS),
    errorRateLimit: resolveRateLimit(options.errorRateLimit),
    onError: options.onError === undefined ? undefined : checkFunction<(err: LogstashError) => void>('onError', options.onError),
    level: checkOneOf('level', pick('level') ?? DEFAULTS.level, LEVELS),
    enabled: checkBoolean('enabled', pick('enabled') ?? DEFAULTS.enabled)
  })
}

/**
 * The hosts, in order: `hosts` (code, else `LOGSTASH_HOSTS`), else `host` (code, else
 * `LOGSTASH_HOST`, else 'localhost'), each with `defaultPort` unless it names its own.
 */
function resolveHosts (options: HandlerOptions, envHosts: readonly HostAddress[] | undefined, envHost: string | undefined, defaultPort: number): readonly ResolvedHost[] {
  let entries: readonly HostAddress[]
  if (options.hosts !== undefined) {
    if (options.host !== undefined) fail('host', 'unset when hosts is set (hosts replaces host)', options.host)
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) fail('hosts', 'a non-empty array', options.hosts)
    entries = options.hosts.map((entry, i) => resolveHostEntry(`hosts[${i}]`, entry))
  } else if (options.host !== undefined) {
    entries = [{ host: checkString('host', options.host), port: undefined }]
  } else if (envHosts !== undefined) {
    entries = envHosts
  } else {
    entries = [{ host: checkString('host', envHost ?? DEFAULTS.host), port: undefined }]
  }
  return Object.freeze(entries.map(({ host, port }) => Object.freeze({ host, port: port ?? defaultPort })))
}

function resolveHostEntry (name: string, entry: unknown): HostAddress {
  if (typeof entry === 'string') return parseHostAddress(name, entry)
  const value = checkPlainObject(name, entry) as { host?: unknown, port?: unknown }
  warnUnknownKeys(name, value as Record<string, unknown>, ['host', 'port'])
  return {
    host: checkString(`${name}.host`, value.host),
    port: value.port === undefined ? undefined : checkInteger(`${name}.port`, value.port, 1, 65535)
  }
}

function resolveTransport (value: unknown): TransportName | Transport {
  if (typeof value === 'string' && (TRANSPORT_NAMES as readonly string[]).includes(value)) return value as TransportName
  if (typeof value !== 'string' && hasMethods(value, TRANSPORT_METHODS)) return value as Transport
  return fail('transport', `one of ${TRANSPORT_NAMES.map((n) => `'${n}'`).join(', ')} or an object with send() and close()`, value)
}

function resolveTls (value: unknown): ResolvedTlsOptions | undefined {
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

function resolveHttp (value: unknown): ResolvedHttpOptions {
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

function resolveBeats (value: unknown): Readonly<Required<BeatsOptions>> {
  const beats = (value === undefined ? {} : checkPlainObject('beats', value)) as BeatsOptions
  warnUnknownKeys('beats', beats as Record<string, unknown>, ['windowSize', 'compressionLevel'])
  return Object.freeze({
    windowSize: checkInteger('beats.windowSize', beats.windowSize ?? DEFAULTS.beats.windowSize, 1),
    compressionLevel: checkInteger('beats.compressionLevel', beats.compressionLevel ?? DEFAULTS.beats.compressionLevel, 0, 9)
  })
}

function resolveCache (value: unknown): ResolvedOptions['cache'] {
  if (hasMethods(value, CACHE_METHODS)) return value as Cache
  const cache = (value === undefined ? {} : checkPlainObject('cache', value)) as CacheLimits
  warnUnknownKeys('cache', cache as Record<string, unknown>, ['maxEvents', 'maxBytes'])
  return Object.freeze({
    maxEvents: checkInteger('cache.maxEvents', cache.maxEvents ?? DEFAULTS.cache.maxEvents, 1),
    maxBytes: cache.maxBytes === undefined ? undefined : checkInteger('cache.maxBytes', cache.maxBytes, 1)
  })
}

function resolveSqlite (value: unknown, timeoutMs: number): Readonly<Required<SqliteOptions>> {
  const sqlite = (value === undefined ? {} : checkPlainObject('sqlite', value)) as SqliteOptions
  warnUnknownKeys('sqlite', sqlite as Record<string, unknown>, ['leaseMs', 'busyTimeoutMs', 'vacuum'])
  return Object.freeze({
    // A lease shorter than a send could let a second sender take rows still on the wire.
    leaseMs: checkInteger('sqlite.leaseMs', sqlite.leaseMs ?? Math.max(DEFAULTS.sqlite.leaseMs, 3 * timeoutMs), 1000, MAX_TIMER_MS),
    busyTimeoutMs: checkInteger('sqlite.busyTimeoutMs', sqlite.busyTimeoutMs ?? DEFAULTS.sqlite.busyTimeoutMs, 0, 60_000),
    vacuum: checkBoolean('sqlite.vacuum', sqlite.vacuum ?? DEFAULTS.sqlite.vacuum)
  })
}

function resolveRetry (value: unknown): Readonly<Required<RetryOptions>> {
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

function resolveRateLimit (value: unknown): number {
  if (value === undefined) return DEFAULTS.errorRateLimit
  if (value === Infinity) return Infinity
  return checkInteger('errorRateLimit', value, 0)
}
