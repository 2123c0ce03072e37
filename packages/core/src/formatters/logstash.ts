import { hostname } from 'node:os'
import type * as Dns from 'node:dns/promises'
import { isMainThread, threadId } from 'node:worker_threads'
import type { RequestContext } from '../context'
import type { Level } from '../levels'
import type { Fields, LogRecord } from '../record'
import type { Formatter } from '../contracts'
import { VERSION } from '../version'
import { checkBoolean, checkInteger, checkPlainObject, checkString, checkStringArray, fail, warnUnknownKeys } from '../validate'
import { TimestampFormatter } from './timestamp'
import { DEFAULT_LIMITS, isPlainJson, toJsonSafe } from './json-safe'
import { errorType, stackWithCauses } from './fields'
import { logstashAccessFields, logstashRequestFields } from './logstash-request'
import { findCallsite } from './callsite'
import { shortenEvent } from './shorten'
import { normalizeHeaderNames, Redactor } from './redact'

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
  /** Request and response headers to write as `req_headers` / `resp_headers` objects. @default none */
  headers?: readonly string[]
  /**
   * More names to write as `[REDACTED]`: headers, and dotted field paths (`password`,
   * `card.number`, `req_remote_address`, `*.token`). `authorization`, `proxy-authorization`,
   * `cookie` and `set-cookie` headers are always redacted. @default none
   */
  redact?: readonly string[]
}

/** Python's level names, so Logstash pipelines written for python-logstash-async keep working. */
export const PYTHON_LEVEL_NAMES: Readonly<Record<Level, string>> = Object.freeze({
  trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL'
})

const TOP_LEVEL = ['@timestamp', '@version', 'host', 'level', 'logsource', 'message', 'pid', 'program', 'type', '@metadata', 'tags']
const KNOWN_OPTIONS = ['messageType', 'tags', 'fqdn', 'extraPrefix', 'extra', 'metadata', 'ensureAscii', 'maxEventBytes', 'callsite', 'headers', 'redact']
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
  readonly #headers: readonly string[]
  readonly #redactor: Redactor
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
    this.#tags = checkStringArray('tags', options.tags ?? [])
    this.#headers = normalizeHeaderNames(checkStringArray('headers', options.headers ?? []))
    this.#redactor = new Redactor(checkStringArray('redact', options.redact ?? []))
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

    const redactor = this.#redactor
    let dynamic = this.#dynamicFields(record, context)
    let fields = record.fields
    if (redactor.hasPaths) {
      if (dynamic !== undefined) dynamic = redactor.fields(dynamic)
      if (fields !== undefined) fields = redactor.fields(fields)
    }
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
      logstashRequestFields(context, target, this.#headers, this.#redactor)
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
      // One pass: no reserved key, every value plain (isPlainJson's object case, inlined).
      let keys = 0
      for (const key in fields) {
        if (this.#reserved.has(key) || ++keys > DEFAULT_LIMITS.maxObjectKeys) return false
        if (!isPlainJson(fields[key], DEFAULT_LIMITS, 1)) return false
      }
      return true
    } catch {
      return false
    }
  }

  // The general path: automatic and record fields merged (record fields win), a record field
  // named like a static or core field kept as `field_<name>`, and made JSON-safe. Inside a
  // request this is the common case, so plain values still take one JSON.stringify.
  #fieldsFragment (dynamic: Record<string, unknown> | undefined, fields: Fields | undefined): string {
    const merged: Record<string, unknown> = { ...dynamic }
    if (dynamic !== undefined) {
      // Fields assigned to the request context could collide too.
      for (const key in dynamic) {
        if (this.#reserved.has(key)) { merged[`field_${key}`] = merged[key]; delete merged[key] }
      }
    }
    if (fields !== undefined) {
      try {
        for (const key of Object.keys(fields)) {
          let value: unknown
          try { value = fields[key] } catch (err) { value = `[Getter threw: ${(err as Error)?.message ?? String(err)}]` }
          // Static extra fields are already written, core fields are the event's own.
          merged[this.#reserved.has(key) ? `field_${key}` : key] = value
        }
      } catch { /* a hostile Proxy: the fields already read are kept */ }
    }
    let json: string | undefined
    try {
      if (isPlainJson(merged, DEFAULT_LIMITS)) json = JSON.stringify(merged)
    } catch { /* a getter or toJSON that throws: the safe path below copes */ }
    if (json === undefined) {
      // Value by value: `merged` is our own container, so a `toJSON` among the fields is a
      // field like any other, never a method to call on the whole.
      const safe: Record<string, unknown> = {}
      for (const key of Object.keys(merged)) {
        const value = toJsonSafe(merged[key])
        if (value !== undefined) safe[key] = value
      }
      json = JSON.stringify(safe)
    }
    return json.length > 2 ? ',' + json.slice(1, -1) : ''
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
      const dns = process.getBuiltinModule('node:dns/promises') as typeof Dns
      const { address } = await dns.lookup(this.#host)
      const { hostname: fqdn } = await dns.lookupService(address, 0)
      if (fqdn !== '' && fqdn !== 'localhost') {
        this.#host = fqdn
        this.#buildFragments()
      }
    } catch {
      // No resolver or no reverse entry: the short host name stays.
    }
  }
}

function escapeNonAscii (json: string): string {
  return json.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}
