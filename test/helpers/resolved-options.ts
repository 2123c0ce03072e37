import {
  type BeatsTransportOptions, type HttpTransportOptions, type MemoryCacheOptions,
  type SqliteCacheOptions, type TcpTransportOptions
} from '@logstash-async/core'
import { normalizeOptions } from '@logstash-async/core/internal'

/**
 * Transports and caches take resolved options (every field set): these fill what a test
 * leaves out from the handler's own defaults, resolved by `normalizeOptions()`, so a test
 * builds a component exactly as the handler would.
 */
const DEFAULT = normalizeOptions({}, {})

type Connection = { host: string, port: number } & Partial<TcpTransportOptions>

export function tcpOptions (options: Connection): TcpTransportOptions {
  return { tls: undefined, timeoutMs: DEFAULT.timeoutMs, pipelining: DEFAULT.pipelining, ...options }
}

export function beatsOptions (options: Connection & Partial<BeatsTransportOptions>): BeatsTransportOptions {
  return { ...tcpOptions(options), ...DEFAULT.beats, ...options }
}

export function httpOptions (options: Connection & Partial<HttpTransportOptions>): HttpTransportOptions {
  return { ...tcpOptions(options), ...DEFAULT.http, ...options }
}

export function memoryCacheOptions (options: Partial<MemoryCacheOptions> = {}): MemoryCacheOptions {
  return { ...(DEFAULT.cache as MemoryCacheOptions), ...options }
}

export function sqliteCacheOptions (options: { path: string } & Partial<SqliteCacheOptions>): SqliteCacheOptions {
  return { ...(DEFAULT.cache as MemoryCacheOptions), ...DEFAULT.sqlite, ...options }
}
