/** Injection token of the module's resolved options (`ResolvedModuleOptions`). */
export const LOGSTASH_MODULE_OPTIONS = Symbol.for('@logstash-async/nest.moduleOptions')

/** Injection token of the handler lease: the handler and whether the module owns it. */
export const LOGSTASH_HANDLER_LEASE = Symbol.for('@logstash-async/nest.handlerLease')

/** The context Nest's built-in exception filter logs unknown errors under. */
export const NEST_EXCEPTIONS_HANDLER_CONTEXT = 'ExceptionsHandler'

/** Injection token of the request tracker: the core's request lifecycle, with the module's settings. */
export const LOGSTASH_REQUEST_TRACKER = Symbol.for('@logstash-async/nest.requestTracker')
