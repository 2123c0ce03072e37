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
 * A failed send. `retryable` tells the worker whether trying again can help (a refused
 * connection can, an HTTP 400 cannot); transports never retry by themselves.
 */
export class TransportError extends LogstashError {
  readonly retryable: boolean

  constructor (message: string, options: { retryable: boolean, code?: string, cause?: unknown }) {
    super(message, { code: options.code ?? 'LOGSTASH_TRANSPORT', cause: options.cause })
    this.retryable = options.retryable
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
