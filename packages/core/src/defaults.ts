import type { TransportName } from './contracts'
import type { Level } from './levels'

/** Default port per transport: Logstash's conventional inputs. */
export const DEFAULT_PORTS: Readonly<Record<TransportName, number>> = Object.freeze({
  tcp: 5959, udp: 5959, beats: 5044, http: 8080
})

/**
 * Every default of the handler's options, in one place: `normalizeOptions()` resolves each
 * once, and transports and caches take the resolved values.
 */
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

