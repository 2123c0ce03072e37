import type { Fields } from '@logstash-async/core'

/** pino-std-serializers' error: `{ type, message, stack, ...own, cause?, aggregateErrors? }`. */
export interface SerializedError {
  type?: unknown
  message?: unknown
  stack?: unknown
  cause?: unknown
  aggregateErrors?: unknown
  [key: string]: unknown
}

// The keys that make the Error itself; every other key of a serialized error is a detail.
const ERROR_KEYS = new Set(['type', 'message', 'stack', 'cause', 'aggregateErrors'])
const MAX_DEPTH = 8

export function isSerializedError (value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    (typeof (value as SerializedError).message === 'string' || typeof (value as SerializedError).stack === 'string')
}

/**
 * A serialized error back into an Error, so formatters write `error_type` and `stack_trace`
 * (ECS `error.*`) as for any error. pino's default `err` serializer puts the causes into
 * `stack` and `message` already; `errWithCause` gives a `cause` object instead, which
 * becomes the Error's cause (the formatters append it); `aggregateErrors` an AggregateError.
 * The error's other properties (`code`, `statusCode`) are returned as details, and `code`
 * is also set on the Error (ECS `error.code`).
 */
export function rebuildError (value: SerializedError, depth = 0): { error: Error, details: Fields | undefined } {
  const message = typeof value.message === 'string' ? value.message : ''
  const inner = Array.isArray(value.aggregateErrors) && depth < MAX_DEPTH
    ? value.aggregateErrors.filter(isSerializedError).map((e) => rebuildError(e, depth + 1).error)
    : undefined
  const error: Error = inner === undefined ? new Error(message) : new AggregateError(inner, message)
  if (typeof value.type === 'string' && value.type !== '') error.name = value.type
  error.stack = typeof value.stack === 'string' ? value.stack : `${error.name}: ${message}`
  if (isSerializedError(value.cause) && depth < MAX_DEPTH) error.cause = rebuildError(value.cause, depth + 1).error
  let details: Fields | undefined
  for (const key in value) {
    if (ERROR_KEYS.has(key)) continue
    details ??= {}
    details[key] = value[key]
  }
  const code = details?.code
  if (typeof code === 'string' || typeof code === 'number') (error as Error & { code?: unknown }).code = code
  return { error, details }
}
