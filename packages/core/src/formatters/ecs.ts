import type { RequestContext } from '../context'
import { LEVELS } from '../levels'
import type { Fields, LogRecord } from '../record'
import { checkBoolean, checkInteger, checkPlainObject, checkString, checkStringArray, fail, warnUnknownKeys } from '../validate'
import { findCallsite } from './callsite'
import { ecsAccessFields, ecsRequestFields, type EcsHttpOptions } from './ecs-http'
import { ECS_FIELD_SETS, isPlainObject, mergeObjects, routeFields, type EcsParts, type Tree } from './ecs-fields'
import { isElasticApmAgent, TraceCorrelation, type ElasticApmAgent } from './ecs-trace'
import { staticEcsFields, type StaticPart } from './ecs-static'
import { ecsErrorFields } from './fields'
import { RequestParts } from './request-json'
import { addTags, DEFAULT_MAX_EVENT_BYTES, eventLevel, eventMessage, eventTime, flatString, loggerName } from './event-parts'
import { toJsonSafe } from './json-safe'
import { describeError } from './limits'
import { problemText } from './message'
import { normalizeHeaderNames, Redactor } from './redact'
import { shortenEvent } from './shorten'
import { TimestampFormatter } from './timestamp'
import type { Formatter } from '../contracts'

export interface EcsFormatterOptions {
  /** The `ecs.version` written on every event. @default '8.11.0' */
  ecsVersion?: string
  /** `service.name`. @default the started Elastic APM agent's, else none */
  serviceName?: string
  /** `service.version`. @default the started Elastic APM agent's, else none */
  serviceVersion?: string
  /** `service.environment`. @default the started Elastic APM agent's, else none */
  serviceEnvironment?: string
  /** `service.node.name`, to tell instances of one service apart. @default the started Elastic APM agent's, else none */
  serviceNodeName?: string
  /** `event.dataset`. @default `<service.name>.log` when there is a service name, else none */
  eventDataset?: string
  /** `event.module`. @default none */
  eventModule?: string
  /** Object holding user fields that are neither ECS fields nor scalars (labels). @default 'extra' */
  extraPrefix?: string
  /** Static fields on every event, placed like a record's fields. @default none */
  extra?: Fields
  /** Tags on every event (a record's own tags, and a `tags` field, are added). @default none */
  tags?: readonly string[]
  /** Logstash `@metadata` on every event: routing and index names for the pipeline, never indexed. @default none */
  metadata?: Fields
  /** Request and response headers to write as `http.request.headers.*` / `http.response.headers.*`. @default none */
  headers?: readonly string[]
  /**
   * More names to write as `[REDACTED]`: headers, and dotted field paths (`password`,
   * `card.number`, `url.query`, `*.token`). `authorization`, `proxy-authorization`, `cookie`
   * and `set-cookie` headers are always redacted. @default none
   */
  redact?: readonly string[]
  /** Longest event in UTF-8 bytes; longer events are shortened (never lost) and say so. @default 1048576 (65506 with UDP) */
  maxEventBytes?: number
  /** Add `log.origin.function` and `log.origin.file.*` of the logging call (costs a stack capture per event). @default false */
  callsite?: boolean
  /** Add `trace.id`, `transaction.id` and `span.id` from Elastic APM or OpenTelemetry when one is active. @default true */
  apmIntegration?: boolean
  /** The Elastic APM agent to read, when the formatter cannot find the one the application loaded. @default the loaded `elastic-apm-node` */
  elasticApm?: ElasticApmAgent
}

/** The ECS version events follow unless `ecsVersion` says otherwise. */
export const DEFAULT_ECS_VERSION = '8.11.0'

const KNOWN_OPTIONS = ['ecsVersion', 'serviceName', 'serviceVersion', 'serviceEnvironment', 'serviceNodeName', 'eventDataset',
  'eventModule', 'extraPrefix', 'extra', 'tags', 'metadata', 'headers', 'redact', 'maxEventBytes', 'callsite', 'apmIntegration', 'elasticApm']
const BASE_FIELDS = ['@timestamp', 'log.level', 'message', 'labels', 'tags']
// What identifies an event when it has to be shortened, and what the last resort keeps.
const CORE_FIELDS: ReadonlySet<string> = new Set(['@timestamp', 'log.level', 'ecs', 'service', 'event', 'host', 'process', 'log', 'trace', 'transaction', 'span', 'tags'])
const MINIMAL_FIELDS = ['@timestamp', 'log.level', 'message', 'ecs']

/**
 * Elastic Common Schema events following the ecs-logging spec: `@timestamp`, `log.level`
 * (a dotted key, never nested) and `message` first, then `ecs.version` and the ECS fields
 * of the process, the request, the error and the trace, nested. A record's fields land at
 * their ECS place when they name one (`user.id`), in `labels` when they are scalars, and in
 * the `extraPrefix` object otherwise. The constant parts are turned into JSON once.
 */
export class EcsFormatter implements Formatter {
  readonly #timestamps = new TimestampFormatter('{"@timestamp":"')
  readonly #loggerFragments = new Map<string, string>()
  readonly #levelFragments: Readonly<Record<string, string>>
  readonly #ecsVersionJson: string
  readonly #static: readonly StaticPart[]
  readonly #staticKeys: ReadonlySet<string>
  readonly #staticLog: Tree | undefined
  readonly #staticLogJson: string
  readonly #staticJson: string
  readonly #staticLabels: Record<string, string | null> | undefined
  readonly #staticLabelsJson: string
  readonly #staticExtra: Tree | undefined
  readonly #staticExtraJson: string
  readonly #tags: readonly string[]
  readonly #staticTagsJson: string
  /** `,"@metadata":{...}`, or `''`. */
  readonly #metadataJson: string
  readonly #extraPrefixJson: string
  readonly #extraPrefix: string
  readonly #http: EcsHttpOptions
  readonly #redactor: Redactor
  readonly #trace: TraceCorrelation | undefined
  readonly #callsite: boolean
  /**
   * The request fields of each request context and logger, while the context holds the same
   * values. Not with `callsite`, `redact` paths or `headers` (see LogstashFormatter's).
   */
  readonly #requestParts: RequestParts<string> | undefined
  /** Longest event in UTF-8 bytes as set by the user; `undefined`: the default, 1 MiB. */
  maxEventBytes: number | undefined

  constructor (options: EcsFormatterOptions = {}) {
    checkPlainObject('EcsFormatter options', options)
    warnUnknownKeys('EcsFormatter', options as Record<string, unknown>, KNOWN_OPTIONS)
    const ecsVersion = checkString('ecsVersion', options.ecsVersion ?? DEFAULT_ECS_VERSION)
    this.#extraPrefix = checkString('extraPrefix', options.extraPrefix ?? 'extra')
    if (ECS_FIELD_SETS.has(this.#extraPrefix) || BASE_FIELDS.includes(this.#extraPrefix)) {
      fail('extraPrefix', 'a name that is not an ECS field set or base field', this.#extraPrefix)
    }
    this.#extraPrefixJson = JSON.stringify(this.#extraPrefix)
    this.#tags = checkStringArray('tags', options.tags ?? [])
    this.#redactor = new Redactor(checkStringArray('redact', options.redact ?? []))
    this.#http = {
      headers: normalizeHeaderNames(checkStringArray('headers', options.headers ?? [])),
      redactor: this.#redactor,
      redactQuery: this.#redactor.has('url.query')
    }
    this.maxEventBytes = options.maxEventBytes === undefined ? undefined : checkInteger('maxEventBytes', options.maxEventBytes, 512)
    this.#callsite = checkBoolean('callsite', options.callsite ?? false)
    const apmIntegration = checkBoolean('apmIntegration', options.apmIntegration ?? true)
    if (options.elasticApm !== undefined && !isElasticApmAgent(options.elasticApm)) {
      fail('elasticApm', 'an Elastic APM agent (an object with isStarted())', options.elasticApm)
    }
    this.#trace = apmIntegration ? new TraceCorrelation(options.elasticApm) : undefined
    this.#requestParts = this.#callsite || this.#redactor.hasPaths || this.#http.headers.length > 0
      ? undefined
      : new RequestParts((context, logger) => this.#requestPart(context, logger))

    const statics = staticEcsFields({ ...options, ecsVersion }, apmIntegration, this.#redactor)
    this.#static = statics.parts
    this.#staticJson = statics.parts.map((p) => p.json).join('')
    this.#staticKeys = new Set(statics.parts.map((p) => p.key))
    this.#staticLog = statics.log
    this.#staticLogJson = statics.log === undefined ? '' : flatString(',"log":' + JSON.stringify(statics.log))
    this.#staticLabels = statics.labels
    this.#staticLabelsJson = statics.labels === undefined ? '' : flatString(',"labels":' + JSON.stringify(statics.labels))
    this.#staticExtra = statics.extra
    this.#staticExtraJson = statics.extra === undefined ? '' : flatString(`,${this.#extraPrefixJson}:` + JSON.stringify(statics.extra))
    this.#staticTagsJson = this.#tags.length === 0 ? '' : flatString(',"tags":' + JSON.stringify(this.#tags))
    this.#metadataJson = options.metadata === undefined ? '' : flatString(',"@metadata":' + JSON.stringify(toJsonSafe(checkPlainObject('metadata', options.metadata))))
    this.#ecsVersionJson = JSON.stringify(ecsVersion)
    const fragments: Record<string, string> = {}
    for (const level of LEVELS) fragments[level] = flatString(`","log.level":"${level}","message":`)
    this.#levelFragments = fragments
  }

  format (record: LogRecord, context?: RequestContext): string {
    // Each property of the record is read once.
    const { level, time, message, logger, error, access, tags } = record
    const fields = record.fields
    let event = this.#timestamps.format(eventTime(time)) +
      this.#levelFragments[eventLevel(level)] + JSON.stringify(eventMessage(message)) + this.#metadataJson
    try {
      event += this.#fieldsJson(error, access, context, fields, logger, tags, false)
    } catch {
      // Plain data is written without a copy, and JSON.stringify read it a second time (or a
      // getter threw on the first): again, from copies in which every value was read once.
      event += this.#fieldsJson(error, access, context, fields, logger, tags, true)
    }
    event += '}'

    const max = this.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES
    if (event.length * 3 > max && Buffer.byteLength(event) > max) {
      return shortenEvent(event, { maxBytes: max, extraPrefix: this.#extraPrefix, ensureAscii: false, coreFields: CORE_FIELDS, minimalFields: MINIMAL_FIELDS })
    }
    return event
  }

  // Every field of the event after the message: the formatter's own, the request's and the
  // record's, routed to their ECS places, `labels`, `tags` and the `extraPrefix` object.
  #fieldsJson (error: unknown, access: LogRecord['access'], context: RequestContext | undefined, fields: Fields | undefined, logger: unknown, tags: LogRecord['tags'], readOnce: boolean): string {
    if (!readOnce && context !== undefined && error === undefined && access === undefined) {
      const json = this.#requestEventJson(context, fields, logger, tags)
      if (json !== undefined) return json
    }
    const parts: EcsParts = { tree: this.#automaticFields(error, access, context), labels: undefined, extra: undefined }
    const redactor = this.#redactor
    if (context?.fields !== undefined) routeFields(parts, redactor.hasPaths ? redactor.fields(context.fields) : context.fields, readOnce)
    if (fields !== undefined) routeFields(parts, redactor.hasPaths ? redactor.fields(fields) : fields, readOnce)
    const tree = parts.tree !== undefined && redactor.hasPaths ? redactor.fields(parts.tree) : parts.tree

    const json = tree === undefined ? this.#staticJson + this.#loggerFragment(logger) : this.#treeFragment(tree, logger)
    return json + this.#afterTreeJson(parts, tags)
  }

  /**
   * The fields of an event logged during a request (no error, no access) when the user's
   * fields add nothing to the request's ECS field sets: the request's fields as made for an
   * earlier event of the request (RequestParts), then labels, tags and the `extraPrefix`
   * object. `undefined` otherwise (a user field at an ECS place merges with the request's,
   * trace ids differ per event, or an option makes request fields differ per event).
   */
  #requestEventJson (context: RequestContext, fields: Fields | undefined, logger: unknown, tags: LogRecord['tags']): string | undefined {
    if (this.#requestParts === undefined || this.#trace?.ids() !== undefined) return undefined
    const parts: EcsParts = { tree: undefined, labels: undefined, extra: undefined }
    if (context.fields !== undefined) routeFields(parts, context.fields, false)
    if (fields !== undefined) routeFields(parts, fields, false)
    if (parts.tree !== undefined) return undefined
    const request = this.#requestParts.get(context, logger)
    return request === undefined ? undefined : request + this.#afterTreeJson(parts, tags)
  }

  // The request's fields, merged with the static field sets, and the logger (for RequestParts).
  #requestPart (context: RequestContext, logger: unknown): string {
    const tree: Tree = {}
    ecsRequestFields(context, tree, this.#http)
    return this.#treeFragment(tree, logger)
  }

  // Labels, tags and the `extraPrefix` object: what follows the field sets.
  #afterTreeJson (parts: EcsParts, tags: LogRecord['tags']): string {
    let json = parts.labels === undefined
      ? this.#staticLabelsJson
      : ',"labels":' + JSON.stringify(this.#staticLabels === undefined ? parts.labels : { ...this.#staticLabels, ...parts.labels })
    json += this.#tagsFragment(tags, parts.tags)
    json += parts.extra === undefined
      ? this.#staticExtraJson
      : `,${this.#extraPrefixJson}:` + JSON.stringify(this.#staticExtra === undefined ? parts.extra : mergeObjects(this.#staticExtra, parts.extra))
    return json
  }

  /**
   * A valid ECS event for a record `format()` threw for: `@timestamp`, `log.level`, the
   * message (or a marker), `ecs.version`, and `labels.format_error` saying what went wrong.
   * Never throws.
   */
  fallback (record: LogRecord, error: unknown): string {
    const read = (key: keyof LogRecord): unknown => {
      try { return record[key] } catch (err) { return key === 'message' ? `[Getter threw: ${describeError(err)}]` : undefined }
    }
    let message: string
    try { message = eventMessage(read('message')) } catch { message = '[unprintable message]' }
    return this.#timestamps.format(eventTime(read('time'))) +
      this.#levelFragments[eventLevel(read('level'))] + JSON.stringify(message) + this.#metadataJson +
      ',"ecs":{"version":' + this.#ecsVersionJson + '}' +
      ',"labels":{"format_error":' + JSON.stringify(problemText(error)) + '}}'
  }

  // Fields that depend on the call: error, request, access, trace and callsite.
  #automaticFields (error: unknown, access: LogRecord['access'], context: RequestContext | undefined): Tree | undefined {
    let tree: Tree | undefined
    if (error !== undefined && error !== null) tree = { error: ecsErrorFields(error) }
    if (context !== undefined) ecsRequestFields(context, tree ??= {}, this.#http)
    if (access !== undefined) ecsAccessFields(access, tree ??= {})
    const ids = this.#trace?.ids()
    if (ids !== undefined) {
      tree ??= {}
      tree.trace = { id: ids.traceId }
      if (ids.transactionId !== undefined) tree.transaction = { id: ids.transactionId }
      if (ids.spanId !== undefined) tree.span = { id: ids.spanId }
    }
    if (this.#callsite) {
      const callsite = findCallsite()
      if (callsite !== undefined) {
        (tree ??= {}).log = { origin: { function: callsite.func_name, file: { name: callsite.path, line: callsite.line } } }
      }
    }
    return tree
  }

  // The static field sets, merged with what the call adds to them, then the call's own.
  #treeFragment (tree: Tree, logger: unknown): string {
    let fragment = ''
    for (const part of this.#static) {
      const added = tree[part.key]
      fragment += isPlainObject(added) ? `,"${part.key}":` + JSON.stringify(mergeObjects(part.value, added)) : part.json
    }
    const log = tree.log
    if (isPlainObject(log)) {
      const base: Tree = logger === undefined ? {} : { logger: loggerName(logger) }
      fragment += ',"log":' + JSON.stringify(mergeObjects(this.#staticLog === undefined ? base : mergeObjects(base, this.#staticLog), log))
    } else {
      fragment += this.#loggerFragment(logger)
    }
    for (const key of Object.keys(tree)) {
      if (key === 'log' || this.#staticKeys.has(key)) continue
      fragment += ',' + JSON.stringify(key) + ':' + JSON.stringify(tree[key])
    }
    return fragment
  }

  #loggerFragment (logger: unknown): string {
    if (logger === undefined) return this.#staticLogJson
    if (typeof logger !== 'string') return ',"log":' + JSON.stringify({ logger: loggerName(logger), ...this.#staticLog })
    let fragment = this.#loggerFragments.get(logger)
    if (fragment === undefined) {
      fragment = flatString(',"log":' + JSON.stringify({ logger: loggerName(logger), ...this.#staticLog }))
      if (this.#loggerFragments.size < 1000) this.#loggerFragments.set(logger, fragment)
    }
    return fragment
  }

  // The formatter's tags, then the record's, then those of `tags` fields, each once.
  #tagsFragment (recordTags: unknown, fieldTags: Set<string> | undefined): string {
    if ((recordTags === undefined || recordTags === null) && fieldTags === undefined) return this.#staticTagsJson
    const tags = new Set(this.#tags)
    addTags(tags, recordTags)
    if (fieldTags !== undefined) for (const tag of fieldTags) tags.add(tag)
    return tags.size === 0 ? '' : ',"tags":' + JSON.stringify([...tags])
  }
}
