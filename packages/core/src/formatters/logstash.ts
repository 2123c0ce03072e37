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
import { isFinal, toJsonSafe } from './json-safe'
import { describeError } from './limits'
import { errorType, logstashStackTrace } from './fields'
import { logstashAccessFields, logstashRequestFields } from './logstash-request'
import { findCallsite } from './callsite'
import { shortenEvent } from './shorten'
import { normalizeHeaderNames, Redactor } from './redact'
import { addTags, DEFAULT_MAX_EVENT_BYTES, eventMessage, eventTime, flatString, loggerName } from './event-parts'
import { copyUserFields, TAG_VALUES, type Target } from './logstash-fields'
import { problemText } from './message'
import { isPlainFields } from './json-plain'
import { RequestParts } from './request-json'

/** What the formatter made of a request's context, for the events logged during the request. */
interface RequestPart {
  /** The request's fields as JSON without the braces (`"req_method":"GET",...`). */
  readonly json: string
  /** Names a user field may not take beside them (the formatter's own and the request fields'). */
  readonly names: ReadonlySet<string>
}

export interface LogstashFormatterOptions {
  /** The event's `type` field. @default 'nodejs-logstash' */
  messageType?: string
  /** Tags on every event (a record's own tags, and a `tags` field, are added). @default none */
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
  /** Longest event in UTF-8 bytes; longer events are shortened (never lost) and say so. @default 1048576 (65506 with UDP) */
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
 * its own fields: plain data as it is, anything else made JSON-safe in its own place.
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
  /** Whether `redact` names field paths (only then are fields walked for them). */
  readonly #redacts: boolean
  readonly #staticExtra: Record<string, unknown>
  /** Names a user field may not take: the static extra, the logger name and, without prefix, the core fields. */
  readonly #reserved: Set<string>
  readonly #timestamps = new TimestampFormatter('{"@timestamp":"')
  /**
   * The request fields of each request context, while it holds the same values. Not with
   * `callsite` (its fields come first, different for each call), `redact` paths (applied to
   * the whole event) or `headers` (a request's header object may be changed in place).
   */
  readonly #requestParts: RequestParts<RequestPart> | undefined
  readonly #loggerFragments = new Map<string, string>()
  #host: string
  #levelFragments!: Record<string, string>
  #afterMessage!: string
  #afterTags!: string
  /** `#afterMessage`, the `tags` option's tags and `#afterTags` as one string: an event without tags of its own. */
  #afterMessageUntagged!: string
  /** Longest event in UTF-8 bytes as set by the user; `undefined`: the default, 1 MiB. */
  maxEventBytes: number | undefined

  constructor (options: LogstashFormatterOptions = {}) {
    checkPlainObject('LogstashFormatter options', options)
    warnUnknownKeys('LogstashFormatter', options as Record<string, unknown>, KNOWN_OPTIONS)
    this.#messageType = checkString('messageType', options.messageType ?? 'nodejs-logstash')
    this.#tags = checkStringArray('tags', options.tags ?? [])
    this.#headers = normalizeHeaderNames(checkStringArray('headers', options.headers ?? []))
    this.#redactor = new Redactor(checkStringArray('redact', options.redact ?? []))
    this.#redacts = this.#redactor.hasPaths
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

    this.#requestParts = this.#callsite || this.#redacts || this.#headers.length > 0
      ? undefined
      : new RequestParts((context) => this.#requestPart(context))

    this.#host = hostname()
    this.#buildFragments()
    if (checkBoolean('fqdn', options.fqdn ?? false)) void this.#lookupFqdn()
  }

  format (record: LogRecord, context?: RequestContext): string {
    // Each property of the record is read once.
    const { level, time, message, logger, error, access, tags } = record
    const fields = record.fields
    // The event's fields as JSON without braces; in a request, mostly without building its fields again.
    let json = context !== undefined && error === undefined && access === undefined
      ? this.#requestEventJson(context, fields)
      : undefined
    let built: { fields: Target | undefined, json: string } | undefined
    if (json === undefined) {
      built = this.#fieldsTarget(context, error, access, fields)
      json = built.json
    }
    let eventTags: Set<string> | undefined
    if (tags !== undefined && tags !== null) addTags(eventTags = new Set(this.#tags), tags)
    // The fields themselves when they were plain data: they hold no tags of ours (nor are
    // they asked: a Proxy may throw for a Symbol key).
    const tagValues = built === undefined || built.fields === fields ? undefined : built.fields?.[TAG_VALUES]
    if (tagValues !== undefined) for (const value of tagValues) addTags(eventTags ??= new Set(this.#tags), value)

    let event = this.#timestamps.format(eventTime(time)) +
      this.#levelFragment(level) + JSON.stringify(eventMessage(message)) +
      (eventTags === undefined || eventTags.size === 0
        ? this.#afterMessageUntagged
        : this.#afterMessage + ',"tags":' + JSON.stringify([...eventTags]) + this.#afterTags) +
      this.#loggerFragment(logger) +
      (json === '' ? '' : ',' + json) +
      (this.#extraPrefix === '' ? '}' : '}}')

    if (this.#ensureAscii) event = escapeNonAscii(event)
    const max = this.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES
    if (event.length * 3 > max && Buffer.byteLength(event) > max) {
      return shortenEvent(event, { maxBytes: max, extraPrefix: this.#extraPrefix, ensureAscii: this.#ensureAscii })
    }
    return event
  }

  /**
   * The event sent when `format()` threw for `record`: the core fields, the message (or a
   * marker) and `format_error` in the extra object saying what went wrong. Never throws.
   */
  fallback (record: LogRecord, error: unknown): string {
    const read = (key: keyof LogRecord): unknown => {
      try { return record[key] } catch (err) { return key === 'message' ? `[Getter threw: ${describeError(err)}]` : undefined }
    }
    let message: string
    try { message = eventMessage(read('message')) } catch { message = '[unprintable message]' }
    const note = JSON.stringify({ format_error: problemText(error) }).slice(1, -1)
    return this.#timestamps.format(eventTime(read('time'))) +
      this.#levelFragment(read('level')) + JSON.stringify(message) +
      this.#afterMessageUntagged + ',' + note +
      (this.#extraPrefix === '' ? '}' : '}}')
  }

  /**
   * The event's fields, automatic and the user's, as an object (`fields`: the user's own
   * when they are plain data and nothing joins them) and as JSON without braces.
   */
  #fieldsTarget (context: RequestContext | undefined, error: unknown, access: LogRecord['access'], callFields: Fields | undefined): { fields: Target | undefined, json: string } {
    let fields = callFields
    let contextFields = context?.fields
    let automatic = this.#callsite || error !== undefined || context !== undefined || access !== undefined
      ? this.#automaticFields(error, access, context)
      : undefined
    const redactor = this.#redactor
    if (this.#redacts) {
      if (automatic !== undefined) automatic = redactor.fields(automatic)
      if (contextFields !== undefined) contextFields = redactor.fields(contextFields)
      if (fields !== undefined) fields = redactor.fields(fields)
    }
    let target: Target | undefined
    let json: string
    try {
      target = this.#eventFields(automatic, contextFields, fields, false)
      json = target === undefined ? '' : JSON.stringify(target)
    } catch {
      // Plain data is written without a copy, and JSON.stringify read it a second time (or a
      // getter threw on the first): a getter or a Proxy answered otherwise then (a BigInt, a
      // cycle, a throw). Again, from copies in which every value was read once.
      target = this.#eventFields(automatic, contextFields, fields, true) as Target
      json = JSON.stringify(target)
    }
    return { fields: target, json: json.length > 2 ? json.slice(1, -1) : '' }
  }

  /**
   * The fields of an event logged during a request (no error, no access) as JSON without
   * braces: the request's fields as made for an earlier event of the request (RequestParts),
   * then the context's and the call's fields as they are. `undefined` where that would not
   * be what #fieldsTarget writes (a field that is not plain data, a `tags` field, a name
   * taken twice, or the option that makes request fields differ per event): #fieldsTarget then.
   */
  #requestEventJson (context: RequestContext, fields: Fields | undefined): string | undefined {
    if (this.#requestParts === undefined) return undefined
    try {
      const part = this.#requestParts.get(context)
      if (part === undefined) return undefined
      let json = part.json
      const contextFields = context.fields
      if (contextFields !== undefined) {
        if (!isPlainFields(contextFields, part.names)) return undefined
        const text = JSON.stringify(contextFields)
        if (text.length > 2) json += ',' + text.slice(1, -1)
      }
      if (fields !== undefined) {
        if (!isPlainFields(fields, part.names) || (contextFields !== undefined && sharesKey(fields, contextFields))) return undefined
        const text = JSON.stringify(fields)
        if (text.length > 2) json += ',' + text.slice(1, -1)
      }
      return json
    } catch {
      // A getter that answered otherwise the second time: #fieldsTarget reads every value once.
      return undefined
    }
  }

  // The request fields of a context as the formatter writes them, for RequestParts.
  #requestPart (context: RequestContext): RequestPart {
    const automatic: Record<string, unknown> = {}
    logstashRequestFields(context, automatic, this.#headers, this.#redactor)
    const safe = jsonSafeFields(automatic)
    const names = new Set(this.#reserved)
    for (const key in safe) names.add(key)
    return { json: JSON.stringify(safe).slice(1, -1), names }
  }

  // Automatic fields first, then the user's: a user field never takes the place of one
  // the formatter writes (`field_<name>` instead); `tags` fields join the event's tags.
  #eventFields (automatic: Record<string, unknown> | undefined, contextFields: Fields | undefined, fields: Fields | undefined, readOnce: boolean): Target | undefined {
    let target: Target | undefined = automatic === undefined ? undefined : jsonSafeFields(automatic)
    if (contextFields !== undefined) target = copyUserFields(contextFields, target, this.#reserved, automatic, readOnce)
    if (fields !== undefined) target = copyUserFields(fields, target, this.#reserved, automatic, readOnce)
    return target
  }

  // `","@version":"1",...,"level":"INFO",...,"message":` (after the timestamp) for the record's level; `info`'s for
  // anything that is not a level (a null-prototype table: `constructor` is no level).
  #levelFragment (level: unknown): string {
    return (typeof level === 'string' ? this.#levelFragments[level] : undefined) ?? this.#levelFragments.info as string
  }

  // Fields the formatter adds for this call: callsite, error, request and access fields.
  #automaticFields (error: unknown, access: LogRecord['access'], context: RequestContext | undefined): Record<string, unknown> {
    const target: Record<string, unknown> = {}
    if (this.#callsite) {
      const callsite = findCallsite()
      if (callsite !== undefined) Object.assign(target, callsite)
    }
    if (error !== undefined && error !== null) {
      target.error_type = errorType(error)
      target.stack_trace = logstashStackTrace(error)
    }
    if (context !== undefined) logstashRequestFields(context, target, this.#headers, this.#redactor)
    if (access !== undefined) logstashAccessFields(access, target)
    return target
  }

  #loggerFragment (logger: unknown): string {
    if (logger === undefined) return ''
    if (typeof logger !== 'string') return ',"logger_name":' + JSON.stringify(loggerName(logger))
    let fragment = this.#loggerFragments.get(logger)
    if (fragment === undefined) {
      fragment = flatString(',"logger_name":' + JSON.stringify(loggerName(logger)))
      if (this.#loggerFragments.size < 1000) this.#loggerFragments.set(logger, fragment)
    }
    return fragment
  }

  #buildFragments (): void {
    const host = JSON.stringify(this.#host)
    this.#levelFragments = Object.create(null) as Record<string, string>
    for (const [level, name] of Object.entries(PYTHON_LEVEL_NAMES)) {
      this.#levelFragments[level] = flatString(`","@version":"1","host":${host},"level":"${name}","logsource":${host},"message":`)
    }
    this.#afterMessage = flatString(`,"pid":${process.pid},"program":${JSON.stringify(process.argv[1] ?? process.argv0)},"type":${JSON.stringify(this.#messageType)}` +
      (this.#metadata === undefined ? '' : `,"@metadata":${JSON.stringify(toJsonSafe(this.#metadata))}`))
    const staticTags = this.#tags.length === 0 ? '' : ',"tags":' + JSON.stringify(this.#tags)
    const staticExtra = JSON.stringify(this.#staticExtra).slice(1, -1)
    this.#afterTags = flatString(this.#extraPrefix === ''
      ? ',' + staticExtra
      : `,${JSON.stringify(this.#extraPrefix)}:{` + staticExtra)
    this.#afterMessageUntagged = flatString(this.#afterMessage + staticTags + this.#afterTags)
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

// A JSON-safe copy of the formatter's own fields (callsite, error, request).
function jsonSafeFields (automatic: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {}
  for (const key in automatic) {
    const value = automatic[key]
    safe[key] = isFinal(value) ? value : toJsonSafe(value)
  }
  return safe
}

// Whether two plain objects have a key in common (the context's fields are few: they are walked).
function sharesKey (fields: object, contextFields: object): boolean {
  for (const key in contextFields) if (Object.hasOwn(fields, key)) return true
  return false
}

function escapeNonAscii (json: string): string {
  return json.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}
