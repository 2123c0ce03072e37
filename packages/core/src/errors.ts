/** Base class of every error this library creates; `code` is stable, `name` is the class name. */
export class LogstashError extends Error {
  readonly code: string

  constructor (message: string, options: { code?: string, cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = options.code ?? 'LOGSTASH_ERROR'
  }
}

/** A wrong option or environment variable: thrown at construction, never at log time. */
export class ConfigurationError extends LogstashError {
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'LOGSTASH_CONFIGURATION', ...options })
  }
}

/**
 * What a failed send had settled before it failed: its first `count` events, `dropped` of
 * them refused for good (reported by `error`). The worker forgets those and sends the rest
 * again, so a batch that went out in parts (Beats windows, HTTP requests, TCP lines the
 * kernel took) is not repeated in full.
 */
export interface SettledPart {
  count: number
  dropped: number
  error?: LogstashError | undefined
}

export interface TransportErrorOptions {
  retryable: boolean
  code?: string
  cause?: unknown
  /** The connection could not be opened (refused, unreachable, unknown name, connect or handshake timeout): nothing was sent. */
  connectFailed?: boolean
  /** The part of the batch settled before the failure. @default nothing */
  settled?: SettledPart
}

/**
 * A failed send. `retryable` tells the worker whether trying again can help (a refused
 * connection can, an HTTP 400 cannot); transports never retry by themselves.
 * `connectFailed` says that no connection could be made, which is cheap to try again
 * (the worker backs off up to `retry.maxReconnectDelayMs`, not `retry.maxDelayMs`), and
 * `settled` which leading events were settled all the same.
 */
export class TransportError extends LogstashError {
  readonly retryable: boolean
  readonly connectFailed: boolean
  readonly settled: SettledPart | undefined

  constructor (message: string, options: TransportErrorOptions) {
    super(message, { code: options.code ?? 'LOGSTASH_TRANSPORT', cause: options.cause })
    this.retryable = options.retryable
    this.connectFailed = options.connectFailed ?? false
    this.settled = options.settled === undefined || options.settled.count === 0 ? undefined : options.settled
  }

  /** The same failure, with the part of the batch settled before it. */
  withSettled (settled: SettledPart): TransportError {
    const error = new TransportError(this.message, { retryable: this.retryable, code: this.code, cause: this.cause, connectFailed: this.connectFailed, settled })
    if (this.stack !== undefined) error.stack = this.stack
    return error
  }
}

/** A cache that could not store, read or delete events (disk full, read-only file, ...). */
export class CacheError extends LogstashError {
  constructor (message: string, options: { code?: string, cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'LOGSTASH_CACHE', cause: options.cause })
  }
}

/** An event that could not be formatted as intended; a fallback event was sent instead. */
export class FormatError extends LogstashError {
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'LOGSTASH_FORMAT', ...options })
  }
}

/** Events given up on: evicted by the cache bound, expired by the TTL, or refused for good. */
export class DroppedEventsError extends LogstashError {
  readonly count: number

  constructor (message: string, count: number, options: { code?: string, cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'LOGSTASH_DROPPED', cause: options.cause })
    this.count = count
  }
}
