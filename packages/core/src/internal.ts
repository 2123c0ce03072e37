// Building blocks exported for this repository's own tests and adapters. Not part of the
// public API: names and shapes may change in any release (the adapters depend on the exact
// version of the core, so they may use them).
export { backoffDelay } from './backoff'
export { EventQueue } from './caches/event-queue'
export { ErrorReporter, writeErrorLine } from './error-reporter'
export { TimestampFormatter } from './formatters/timestamp'
export { isPlainJson } from './formatters/json-safe'
export { shortenEvent } from './formatters/shorten'
export { findCallsite } from './formatters/callsite'
export { readEnvironment } from './env'
export { Worker } from './worker'
export { HANDLER_OPTION_NAMES } from './options'
export { checkBoolean, checkFunction, checkString, describeValue, fail } from './validate'
export { isAccessSkipped } from './http/access'
export {
  ACCESS_DEFAULTS, checkHeaderName, leaseHandler, resolveAccessOptions, splitAdapterOptions
} from './http/adapter-options'
export type {
  AccessOptions, AdapterOptionKeys, HandlerLease, SplitAdapterOptions, WithHandler
} from './http/adapter-options'
export { boundSink } from './http/bound-sink'
export { contentLength } from './http/content-length'
// Requests and responses as other loggers serialize them, for @logstash-async/pino and /winston.
export { accessFromSerialized, contextFromSerializedRequest, isSerializedRequest, isSerializedResponse } from './http/serialized-request'
// The Lumberjack frame reader of `logstash-async listen`, for the benchmark's Beats sink.
export { ackFrame, LumberjackDecoder, LumberjackProtocolError } from './cli/lumberjack'
export type { LumberjackFrame } from './cli/lumberjack'
