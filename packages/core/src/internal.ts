// What this repository's own adapters and tests use beyond the public entry
// points (`@logstash-async/core` and `@logstash-async/core/adapter`). Not API: names and
// shapes may change in any release (the adapters depend on the exact version of the core).
export { backoffDelay } from './backoff'
export { normalizeOptions } from './options'
export { checkString, fail } from './validate'
export { splitHost } from './http/incoming'
// Requests and responses as other loggers serialize them, for @logstash-async/pino and /winston.
export { accessMessage } from './http/access'
export { accessFromSerialized, contextFromSerializedRequest, isSerializedRequest, isSerializedResponse } from './http/serialized-request'
