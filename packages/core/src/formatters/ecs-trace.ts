/** The ids that tie a log event to a trace: ECS `trace.id`, `transaction.id`, `span.id`. */
export interface TraceIds {
  traceId: string
  transactionId?: string
  spanId?: string
}

/**
 * The part of an `elastic-apm-node` agent the formatter reads (its documented API). The real
 * agent has it; pass one with the `elasticApm` option when the formatter cannot find the
 * application's.
 */
export interface ElasticApmAgent {
  isStarted (): boolean
  readonly currentTransaction: { readonly ids: { readonly 'trace.id': string, readonly 'transaction.id': string } } | null | undefined
  readonly currentSpan: { readonly ids: { readonly 'span.id': string } } | null | undefined
  getServiceName? (): string | undefined
  getServiceVersion? (): string | undefined
  getServiceEnvironment? (): string | undefined
  getServiceNodeName? (): string | undefined
}

interface SpanContext { traceId: string, spanId: string }
interface OpenTelemetryApi {
  context: { active (): unknown }
  trace: { getSpan (context: unknown): { spanContext (): SpanContext } | undefined }
  isSpanContextValid (spanContext: SpanContext): boolean
}

// Neither package is a dependency: each is looked for once per process, and when it is
// absent the cost of every later event is one comparison.
let openTelemetry: OpenTelemetryApi | null | undefined
let elasticApmPath: string | null | undefined
let elasticApmAgent: ElasticApmAgent | undefined

function loadOpenTelemetry (): OpenTelemetryApi | null {
  if (openTelemetry === undefined) {
    openTelemetry = null
    try {
      // The API is small and keeps its state in a process-wide global, so the copy this
      // package finds sees the spans of the copy the application uses.
      const api = require('@opentelemetry/api') as Partial<OpenTelemetryApi>
      if (typeof api.context?.active === 'function' && typeof api.trace?.getSpan === 'function' && typeof api.isSpanContextValid === 'function') {
        openTelemetry = api as OpenTelemetryApi
      }
    } catch {
      // Not installed: no OpenTelemetry correlation.
    }
  }
  return openTelemetry
}

/**
 * The Elastic APM agent the application loaded, if any. The agent is a large module that
 * patches others when started, so it is never loaded here: an agent the application did not
 * load cannot be running. `require.cache` tells whether it was loaded (CommonJS, so also
 * when imported from an ES module).
 */
export function loadedElasticApm (): ElasticApmAgent | undefined {
  if (elasticApmAgent !== undefined) return elasticApmAgent
  if (elasticApmPath === undefined) {
    try {
      elasticApmPath = require.resolve('elastic-apm-node')
    } catch {
      elasticApmPath = null
    }
  }
  if (elasticApmPath === null) return undefined
  const candidate: unknown = require.cache[elasticApmPath]?.exports
  if (isElasticApmAgent(candidate)) elasticApmAgent = candidate
  return elasticApmAgent
}

/** True for what looks like an Elastic APM agent: an object with `isStarted()`. */
export function isElasticApmAgent (value: unknown): value is ElasticApmAgent {
  return typeof value === 'object' && value !== null && typeof (value as ElasticApmAgent).isStarted === 'function'
}

/**
 * Trace ids of the code that is logging: from a started Elastic APM agent's current
 * transaction (and span), else from the active OpenTelemetry span. Never throws.
 */
export class TraceCorrelation {
  readonly #agent: ElasticApmAgent | undefined

  /** @param agent an explicit Elastic APM agent; by default the one the application loaded */
  constructor (agent?: ElasticApmAgent) {
    this.#agent = agent
  }

  ids (): TraceIds | undefined {
    const agent = this.#agent ?? loadedElasticApm()
    if (agent !== undefined) {
      try {
        const transaction = agent.isStarted() ? agent.currentTransaction : undefined
        if (transaction !== null && transaction !== undefined) {
          const ids: TraceIds = { traceId: String(transaction.ids['trace.id']), transactionId: String(transaction.ids['transaction.id']) }
          const span = agent.currentSpan
          if (span !== null && span !== undefined) ids.spanId = String(span.ids['span.id'])
          return ids
        }
      } catch {
        // A broken agent must not cost the event.
      }
    }
    const api = loadOpenTelemetry()
    if (api === null) return undefined
    try {
      const spanContext = api.trace.getSpan(api.context.active())?.spanContext()
      if (spanContext !== undefined && api.isSpanContextValid(spanContext)) {
        return { traceId: spanContext.traceId, spanId: spanContext.spanId }
      }
    } catch {
      // As above.
    }
    return undefined
  }
}
