// Building blocks exported for this repository's own tests and adapters. Not part of the
// public API: names and shapes may change in any release.
export { backoffDelay } from './backoff'
export { EventQueue } from './caches/event-queue'
export { ErrorReporter, writeErrorLine } from './error-reporter'
export { TimestampFormatter } from './formatters/timestamp'
export { isPlainJson } from './formatters/json-safe'
export { shortenEvent } from './formatters/shorten'
export { findCallsite } from './formatters/callsite'
export { readEnvironment } from './env'
export { Worker } from './worker'
