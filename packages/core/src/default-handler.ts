import { LogstashHandler } from './handler'

// One per process, even if two copies of this package are loaded.
const KEY = Symbol.for('@logstash-async/core.defaultHandler')
type GlobalWithHandler = typeof globalThis & { [KEY]?: LogstashHandler }

/**
 * The process-wide handler used wherever no handler is given (`createLogger()`, each
 * adapter called without options). Created on first use from the defaults and the
 * `LOGSTASH_*` environment; flushed on `beforeExit` like every handler. A wrong
 * environment variable throws a `ConfigurationError` naming it, here, at first use.
 */
export function defaultHandler (): LogstashHandler {
  const global = globalThis as GlobalWithHandler
  let handler = global[KEY]
  if (handler === undefined || handler.closed) {
    handler = new LogstashHandler()
    global[KEY] = handler
  }
  return handler
}
