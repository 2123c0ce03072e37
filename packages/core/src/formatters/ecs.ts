import type { RequestContext } from '../context'
import { isLevel, LEVELS } from '../levels'
import type { Fields, LogRecord } from '../record'
import { checkBoolean, checkInteger, checkPlainObject, checkString, checkStringArray, fail, warnUnknownKeys } from '../validate'
import { findCallsite } from './callsite'
import { ecsAccessFields, ecsRequestFields, type EcsHttpOptions } from './ecs-http'
import { ECS_FIELD_SETS, isPlainObject, mergeObjects, routeFields, type EcsParts, type Tree } from './ecs-fields'
import { isElasticApmAgent, TraceCorrelation, type ElasticApmAgent } from './ecs-trace'
import { staticEcsFields, type StaticPart } from './ecs-static'
import { ecsErrorFields } from './fields'
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
  /** Tags on every event (a record's own tags are added). @default none */
  tags?: readonly string[]
  /** Request and response headers to write as `http.request.headers.*` / `http.response.headers.*`. @default none */
  headers?: readonly string[]
  /**
   * More names to write as `[REDACTED]`: headers, and dotted field paths (`password`,
   * `card.number`, `url.query`, `*.token`). `authorization`, `proxy-authorization`, `cookie`
   * and `set-cookie` headers are always redacted. @default none
   */
  redact?: readonly string[]
  /** Longest event in UTF-8 bytes; longer events are shortened (never lost) and say so. @default none (65506 with UDP) */
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
  'eventModule', 'extraPrefix', 'extra', 'tags', 'headers', 'redact', 'maxEventBytes', 'callsite', 'apmIntegration', 'elasticApm']
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
  readonly #timestamps = new TimestampFormatter()
  readonly #loggerFragments = new Map<string, string>()
  readonly #levelFragments: Readonly<Record<string, string>>
  readonly #ecsVersionJson: string
  readonly #static: readonly StaticPart[]
  readonly #staticKeys: ReadonlySet<string>
  readonly #staticLog: Tree | undefined
  readonly #staticJson: string
  readonly #staticLabels: Record<string, string | null> | undefined
  readonly #staticLabelsJson: string
  readonly #staticExtra: Tree | undefined
  readonly #staticExtraJson: string
  readonly #tags: readonly string[]
  readonly #staticTagsJson: string
  readonly #extraPrefixJson: string
  readonly #extraPrefix: string
  readonly #http: EcsHttpOptions
  readonly #redactor: Redactor
  readonly #trace: TraceCorrelation | undefined
  readonly #callsite: boolean
  /** Longest event in UTF-8 bytes, or `undefined` for no limit. */
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

    const statics = staticEcsFields({ ...options, ecsVersion }, apmIntegration, this.#redactor)
    this.#static = statics.parts
    this.#staticJson = statics.parts.map((p) => p.json).join('')
    this.#staticKeys = new Set(statics.parts.map((p) => p.key))
    this.#staticLog = statics.log
    this.#staticLabels = statics.labels
    this.#staticLabelsJson = statics.labels === undefined ? '' : ',"labels":' + JSON.stringify(statics.labels)
    this.#staticExtra = statics.extra
    this.#staticExtraJson = statics.extra === undefined ? '' : `,${this.#extraPrefixJson}:` + JSON.stringify(statics.extra)
    this.#staticTagsJson = this.#tags.length === 0 ? '' : ',"tags":' + JSON.stringify(this.#tags)
    this.#ecsVersionJson = JSON.stringify(ecsVersion)
    const fragments: Record<string, string> = {}
    for (const level of LEVELS) fragments[level] = `"log.level":"${level}","message":`
    this.#levelFragments = fragments
  }

  format (record: LogRecord, context?: RequestContext): string {
    try {
      return this.#format(record, context)
    } catch (err) {
      return this.#fallback(record, err)
    }
  }

  #format (record: LogRecord, context: RequestContext | undefined): string {
    const level = isLevel(record.level) ? record.level : 'info'
    const message = typeof record.message === 'string' ? record.message : String(record.message)
    let event = '{"@timestamp":"' + this.#timestamps.format(record.time ?? Date.now()) + '",' +
      this.#levelFragments[level] + JSON.stringify(message)

    const parts: EcsParts = { tree: this.#automaticFields(record, context), labels: undefined, extra: undefined }
    const redactor = this.#redactor
    if (context?.fields !== undefined) routeFields(parts, redactor.hasPaths ? redactor.fields(context.fields) : context.fields)
    if (record.fields !== undefined) routeFields(parts, redactor.hasPaths ? redactor.fields(record.fields) : record.fields)
    const tree = parts.tree !== undefined && redactor.hasPaths ? redactor.fields(parts.tree) : parts.tree

    if (tree === undefined) {
      event += this.#staticJson + this.#loggerFragment(record.logger)
    } else {
      event += this.#treeFragment(tree, record.logger)
    }
    event += parts.labels === undefined
      ? this.#staticLabelsJson
      : ',"labels":' + JSON.stringify(this.#staticLabels === undefined ? parts.labels : { ...this.#staticLabels, ...parts.labels })
    event += record.tags === undefined || record.tags.length === 0 ? this.#staticTagsJson : this.#tagsFragment(record.tags)
    event += parts.extra === undefined
      ? this.#staticExtraJson
      : `,${this.#extraPrefixJson}:` + JSON.stringify(this.#staticExtra === undefined ? parts.extra : mergeObjects(this.#staticExtra, parts.extra))
    event += '}'

    const max = this.maxEventBytes
    if (max !== undefined && event.length * 3 > max && Buffer.byteLength(event) > max) {
      return shortenEvent(event, { maxBytes: max, extraPrefix: this.#extraPrefix, ensureAscii: false, coreFields: CORE_FIELDS, minimalFields: MINIMAL_FIELDS })
    }
    return event
  }

  // Fields that depend on the call: error, request, access, trace and callsite.
  #automaticFields (record: LogRecord, context: RequestContext | undefined): Tree | undefined {
    let tree: Tree | undefined
    if (record.error !== undefined && record.error !== null) tree = { error: ecsErrorFields(record.error) }
    if (context !== undefined) ecsRequestFields(context, tree ??= {}, this.#http)
    if (record.access !== undefined) ecsAccessFields(record.access, tree ??= {})
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
  #treeFragment (tree: Tree, logger: string | undefined): string {
    let fragment = ''
    for (const part of this.#static) {
      const added = tree[part.key]
      fragment += isPlainObject(added) ? `,"${part.key}":` + JSON.stringify(mergeObjects(part.value, added)) : part.json
    }
    const log = tree.log
    if (isPlainObject(log)) {
      const base: Tree = logger === undefined ? {} : { logger: String(logger) }
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

  #loggerFragment (logger: string | undefined): string {
    if (logger === undefined) return this.#staticLog === undefined ? '' : ',"log":' + JSON.stringify(this.#staticLog)
    let fragment = this.#loggerFragments.get(logger)
    if (fragment === undefined) {
      fragment = ',"log":' + JSON.stringify({ logger: String(logger), ...this.#staticLog })
      if (this.#loggerFragments.size < 1000) this.#loggerFragments.set(logger, fragment)
    }
    return fragment
  }

  #tagsFragment (recordTags: readonly string[]): string {
    return ',"tags":' + JSON.stringify([...new Set([...this.#tags, ...recordTags.map(String)])])
  }

  // Still a valid ECS event, saying what went wrong, for a record nothing else could format.
  #fallback (record: LogRecord, err: unknown): string {
    let message: string
    try { message = String(record.message) } catch { message = '[unprintable message]' }
    let problem: string
    try { problem = err instanceof Error ? err.message : String(err) } catch { problem = 'unknown' }
    const time = typeof record.time === 'number' && Math.abs(record.time) <= 8.64e15 ? record.time : Date.now()
    return '{"@timestamp":' + JSON.stringify(new Date(time).toISOString()) +
      ',"log.level":' + JSON.stringify(isLevel(record.level) ? record.level : 'info') +
      ',"message":' + JSON.stringify(message) + ',"ecs":{"version":' + this.#ecsVersionJson + '}' +
      ',"labels":{"format_error":' + JSON.stringify(problem) + '}}'
  }
}
