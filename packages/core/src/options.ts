import type { LogstashError } from './errors'
import { TRANSPORT_NAMES, type Cache, type Formatter, type Transport, type TransportName } from './contracts'
import { LEVELS, type Level } from './levels'
import { readEnvironment } from './env'
import { parseHostAddress, type HostAddress } from './host-address'
import {
  checkBoolean, checkFunction, checkInteger, checkOneOf, checkPlainObject, checkString, fail,
  hasMethods, warnUnknownKeys
} from './validate'

export { TRANSPORT_NAMES, type TransportName } from './contracts'
export { DEFAULTS, DEFAULT_PORTS } from './defaults'
import { DEFAULTS, DEFAULT_PORTS } from './defaults'
import {
  MAX_TIMER_MS, resolveBeats, resolveCacheLimits, resolveHttp, resolveRetry, resolveSqlite, resolveTls,
  type BeatsOptions, type CacheLimits, type HttpOptions, type ResolvedCacheLimits, type ResolvedHttpOptions,
  type ResolvedTlsOptions, type RetryOptions, type SqliteOptions, type TlsOptions
} from './option-groups'
export type {
  BeatsOptions, CacheLimits, HttpOptions, ResolvedCacheLimits, ResolvedHttpOptions, ResolvedTlsOptions, RetryOptions, SqliteOptions, TlsOptions
} from './option-groups'

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
  readonly cache: Readonly<ResolvedCacheLimits> | Cache
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

function resolveCache (value: unknown): ResolvedOptions['cache'] {
  if (hasMethods(value, CACHE_METHODS)) return value as Cache
  return resolveCacheLimits((value === undefined ? {} : checkPlainObject('cache', value)) as CacheLimits)
}

function resolveRateLimit (value: unknown): number {
  if (value === undefined) return DEFAULTS.errorRateLimit
  if (value === Infinity) return Infinity
  return checkInteger('errorRateLimit', value, 0)
}
