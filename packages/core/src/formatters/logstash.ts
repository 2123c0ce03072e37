import { hostname } from 'node:os'
import { lookup, lookupService } from 'node:dns/promises'
import { isMainThread, threadId } from 'node:worker_threads'
import type { RequestContext } from '../context'
import type { Level } from '../levels'
import type { Fields, LogRecord } from '../record'
import type { Formatter } from './types'
import { VERSION } from '../version'
import { checkBoolean, checkInteger, checkPlainObject, checkString, fail, warnUnknownKeys } from '../validate'
import { TimestampFormatter } from './timestamp'
import { DEFAULT_LIMITS, isPlainJson, toJsonSafe } from './json-safe'
import { errorType, stackWithCauses } from './fields'
import { logstashAccessFields, logstashRequestFields } from './logstash-request'
import { findCallsite } from './callsite'
import { shortenEvent } from './shorten'

export interface LogstashFormatterOptions {
  /** The event's `type` field. @default 'nodejs-logstash' */
  messageType?: string
  /** Tags on every event (a record's own tags are added). @default none */
  tags?: readonly string[]
  /** Use the fully qualified domain name for `host` (looked up once, in the background). @default false */
  fqdn?: boolean
  /** Object holding every non-core field; `''` writes them at the top level. @default 'extra' */
  extraPrefix?: string
  /** Static fields on every event, inside `extraPrefix`. @default none */
  extra?: Fields
  /** Logstash `@metadata` on every event (used by pipelines, not indexed). @default none */
  metadata?: Fields
  /** Escape every non-ASCII character as `\uXXXX`. @default false */
  ensureAscii?: boolean
  /** Longest event in UTF-8 bytes; longer events are shortened (never lost) and say so. @default none (65506 with UDP) */
  maxEventBytes?: number
  /** Add `func_name`, `line` and `path` of the logging call (costs a stack capture per event). @default false */
  callsite?: boolean
}

/** Python's level names, so Logstash pipelines written for python-logstash-async keep working. */
export const PYTHON_LEVEL_NAMES: Readonly<Record<Level, string>> = Object.freeze({
  trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL'
})

const TOP_LEVEL = ['@timestamp', '@version', 'host', 'level', 'logsource', 'message', 'pid', 'program', 'type', '@metadata', 'tags']
const KNOWN_OPTIONS = ['messageType', 'tags', 'fqdn', 'extraPrefix', 'extra', 'metadata', 'ensureAscii', 'maxEventBytes', 'callsite']
const NON_ASCII = /[\u0080-\uffff]/g

/**
 * python-logstash-async's event, field for field: the core fields at the top level in its
 * order, everything else inside `extraPrefix`. The constant parts of the event are turned
 * into JSON once, at construction; a log call only adds the timestamp, level, message and
 * its own fields.
 */
export class LogstashFormatter implements Formatter {
  readonly #extraPrefix: string
  readonly #tags: readonly string[]
  readonly #messageType: string
  readonly #metadata: Fields | undefined
  readonly #ensureAscii: boolean
  readonly #callsite: boolean
  readonly #staticExtra: Record<string, unknown>
  /** Keys a record field must not silently duplicate: the static extra and, without prefix, the top level. */
  readonly #reserved: Set<string>
  readonly #timestamps = new TimestampFormatter()
  readonly #loggerFragments = new Map<string, string>()
  #host: string
  #levelFragments!: Record<string, string>
  #afterMessage!: string
  #afterTags!: string
  #staticTags!: string
  maxEventBytes: number | undefined

  constructor (options: LogstashFormatterOptions = {}) {
    checkPlainObject('LogstashFormatter options', options)
    warnUnknownKeys('LogstashFormatter', options as Record<string, unknown>, KNOWN_OPTIONS)
    this.#messageType = checkString('messageType', options.messageType ?? 'nodejs-logstash')
    this.#tags = checkTags('tags', options.tags ?? [])
    this.#extraPrefix = checkString('extraPrefix', options.extraPrefix ?? 'extra', { allowEmpty: true })
    if (TOP_LEVEL.includes(this.#extraPrefix)) fail('extraPrefix', `a name other than the core fields (${TOP_LEVEL.join(', ')})`, this.#extraPrefix)
    this.#metadata = options.metadata === undefined ? undefined : checkPlainObject('metadata', options.metadata)
    this.#ensureAscii = checkBoolean('ensureAscii', options.ensureAscii ?? false)
    this.#callsite = checkBoolean('callsite', options.callsite ?? false)
    this.maxEventBytes = options.maxEventBytes === undefined ? undefined : checkInteger('maxEventBytes', options.maxEventBytes, 512)
    const extra = options.extra === undefined ? {} : checkPlainObject('extra', options.extra)

    this.#staticExtra = {
      logstash_async_version: VERSION,
      interpreter: process.execPath,
      interpreter_version: process.version,
      process_name: process.title,
      thread_name: isMainThread ? 'main' : `worker-${threadId}`,
      ...(toJsonSafe(extra) as Record<string, unknown>)
    }
    this.#reserved = new Set(Object.keys(this.#staticExtra))
    this.#reserved.add('logger_name')
    if (this.#extraPrefix === '') for (const key of TOP_LEVEL) this.#reserved.add(key)

    this.#host = hostname()
    this.#buildFragments()
    if (checkBoolean('fqdn', options.fqdn ?? false)) void this.#lookupFqdn()
  }

  format (record: LogRecord, context?: RequestContext): string {
    const time = record.time ?? Date.now()
    const level = PYTHON_LEVEL_NAMES[record.level] === undefined ? 'info' : record.level
    let event = '{"@timestamp":"' + this.#timestamps.format(time) + '",' +
      this.#levelFragments[level] + JSON.stringify(typeof record.message === 'string' ? record.message : String(record.message)) +
      this.#afterMessage +
      (record.tags === undefined || record.tags.length === 0 ? this.#staticTags : this.#tagsFragment(record.tags)) +
      this.#afterTags +
      this.#loggerFragment(record.logger)

    const dynamic = this.#dynamicFields(record, context)
    const fields = record.fields
    if (dynamic === undefined && fields !== undefined && this.#isFastFields(fields)) {
      const json = JSON.stringify(fields)
      if (json.length > 2) event += ',' + json.slice(1, -1)
    } else if (dynamic !== undefined || fields !== undefined) {
      event += this.#fieldsFragment(dynamic, fields)
    }
    event += this.#extraPrefix === '' ? '}' : '}}'

    if (this.#ensureAscii) event = escapeNonAscii(event)
    const max = this.maxEventBytes
    if (max !== undefined && event.length * 3 > max && Buffer.byteLength(event) > max) {
      return shortenEvent(event, { maxBytes: max, extraPrefix: this.#extraPrefix, ensureAscii: this.#ensureAscii })
    }
    return event
  }

  // Automatic fields that depend on the call: callsite, error, request and access fields.
  #dynamicFields (record: LogRecord, context: RequestContext | undefined): Record<string, unknown> | undefined {
    if (!this.#callsite && record.error === undefined && context === undefined && record.access === undefined) return undefined
    const target: Record<string, unknown> = {}
    if (this.#callsite) {
      const callsite = findCallsite()
      if (callsite !== undefined) Object.assign(target, callsite)
    }
    if (record.error !== undefined && record.error !== null) {
      target.error_type = errorType(record.error)
      target.stack_trace = stackWithCauses(record.error)
    }
    if (context !== undefined) {
      logstashRequestFields(context, target)
      if (context.fields !== undefined) Object.assign(target, context.fields)
    }
    if (record.access !== undefined) logstashAccessFields(record.access, target)
    return target
  }

  #isFastFields (fields: Fields): boolean {
    try {
      // Only a plain object's JSON is a `{...}` whose inside can be spliced into the event;
      // fields that are an array, a Date or null (from untyped callers) take the general path.
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return false
      const proto = Object.getPrototypeOf(fields)
      if (proto !== Object.prototype && proto !== null) return false
      for (const key in fields) if (this.#reserved.has(key)) return false
      return isPlainJson(fields, DEFAULT_LIMITS)
    } catch {
      return false
    }
  }

  // The general path: merge, make safe, keep record fields from overwriting core fields.
  #fieldsFragment (dynamic: Record<string, unknown> | undefined, fields: Fields | undefined): string {
    const merged: Record<string, unknown> = { ...dynamic }
    if (fields !== undefined) {
      try {
        for (const key of Object.keys(fields)) {
          let value: unknown
          try { value = fields[key] } catch (err) { value = `[Getter threw: ${(err as Error)?.message ?? String(err)}]` }
          merged[key] = value
        }
      } catch { /* a hostile Proxy: the fields already read are kept */ }
    }
    const safe = (toJsonSafe(merged) ?? {}) as Record<string, unknown>
    let fragment = ''
    for (const key of Object.keys(safe)) {
      // Static extra fields are already written; a record field of the same name (or, without
      // a prefix, of a core field's name) is kept under a `field_` name instead of duplicating it.
      const name = this.#reserved.has(key) ? `field_${key}` : key
      fragment += ',' + JSON.stringify(name) + ':' + JSON.stringify(safe[key])
    }
    return fragment
  }

  #loggerFragment (logger: string | undefined): string {
    if (logger === undefined) return ''
    let fragment = this.#loggerFragments.get(logger)
    if (fragment === undefined) {
      fragment = ',"logger_name":' + JSON.stringify(String(logger))
      if (this.#loggerFragments.size < 1000) this.#loggerFragments.set(logger, fragment)
    }
    return fragment
  }

  #tagsFragment (recordTags: readonly string[]): string {
    const tags = [...new Set([...this.#tags, ...recordTags.map(String)])]
    return ',"tags":' + JSON.stringify(tags)
  }

  #buildFragments (): void {
    const host = JSON.stringify(this.#host)
    this.#levelFragments = {}
    for (const [level, name] of Object.entries(PYTHON_LEVEL_NAMES)) {
      this.#levelFragments[level] = `"@version":"1","host":${host},"level":"${name}","logsource":${host},"message":`
    }
    this.#afterMessage = `,"pid":${process.pid},"program":${JSON.stringify(process.argv[1] ?? process.argv0)},"type":${JSON.stringify(this.#messageType)}` +
      (this.#metadata === undefined ? '' : `,"@metadata":${JSON.stringify(toJsonSafe(this.#metadata))}`)
    this.#staticTags = this.#tags.length === 0 ? '' : ',"tags":' + JSON.stringify(this.#tags)
    const staticExtra = JSON.stringify(this.#staticExtra).slice(1, -1)
    this.#afterTags = this.#extraPrefix === ''
      ? ',' + staticExtra
      : `,${JSON.stringify(this.#extraPrefix)}:{` + staticExtra
  }

  // Like Python's socket.getfqdn(): the canonical name of this host's address. Events
  // formatted before the lookup ends carry the short host name.
  async #lookupFqdn (): Promise<void> {
    try {
      const { address } = await lookup(this.#host)
      const { hostname: fqdn } = await lookupService(address, 0)
      if (fqdn !== '' && fqdn !== 'localhost') {
        this.#host = fqdn
        this.#buildFragments()
      }
    } catch {
      // No resolver or no reverse entry: the short host name stays.
    }
  }
}

function checkTags (name: string, tags: unknown): readonly string[] {
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) fail(name, 'an array of strings', tags)
  return Object.freeze([...tags])
}

function escapeNonAscii (json: string): string {
  return json.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}
