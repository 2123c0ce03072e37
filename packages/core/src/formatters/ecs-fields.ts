import type { Fields } from '../record'
import { addTags, isTagsValue } from './event-parts'
import { toJsonSafe } from './json-safe'
import { describeError } from './limits'
import { isPlainData } from './json-plain'
import { readFields } from './merge-fields'
import { isLabelValue, labelValue, sanitizeLabelKey } from './labels'

/**
 * Nested event fields: objects are the formatter's own, safe to change, but for plain data of
 * the caller's under `extra` (see `routeFields`): those are never changed, only merged into
 * new objects (`mergeObjects`, `setPath`).
 */
export type Tree = Record<string, unknown>

/** Where the fields of one event go: ECS field sets, `labels`, the `extraPrefix` object and `tags`. */
export interface EcsParts {
  tree: Tree | undefined
  labels: Record<string, string | null> | undefined
  extra: Tree | undefined
  /** Tags from `tags` fields, added to the formatter's and the record's. */
  tags?: Set<string> | undefined
}

/**
 * The ECS 8.11 field sets that appear at the top level of an event (the reusable-only ones,
 * such as `geo` or `hash`, do not). A user field whose name starts with one of these
 * (`user.id`, `event.action`, `{ http: {...} }`) is an ECS field and lands there, nested.
 * https://www.elastic.co/guide/en/ecs/8.11/ecs-field-reference.html
 */
export const ECS_FIELD_SETS: ReadonlySet<string> = new Set([
  'agent', 'client', 'cloud', 'container', 'data_stream', 'destination', 'device', 'dll', 'dns',
  'ecs', 'email', 'error', 'event', 'faas', 'file', 'group', 'host', 'http', 'log', 'network',
  'observer', 'orchestrator', 'organization', 'package', 'process', 'registry', 'related', 'rule',
  'server', 'service', 'source', 'span', 'threat', 'tls', 'trace', 'transaction', 'url', 'user',
  'user_agent', 'vulnerability'
])

// Written by the formatter alone: the spec forbids a nested `log.level`, and `ecs.version`
// says which schema the rest follows. A user field of that name becomes a label.
const RESERVED_PATHS: ReadonlyMap<string, string> = new Map([['log', 'level'], ['ecs', 'version']])

/** True for objects that are not arrays: what can be merged into. */
export function isPlainObject (value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Routes every field of `fields` into `parts`. A `tags` field holding a string or an array
 * joins the event's `tags`. With `readOnce`, from a copy, each value read once (a getter that
 * throws becomes a marker in its place), and never throws. Without, straight from the fields,
 * plain data under the `extraPrefix` object as it is (see `isPlainData`): what the caller's
 * `JSON.stringify` then reads a second time, and a getter or Proxy that throws here throws:
 * the caller starts again with `readOnce`.
 */
export function routeFields (parts: EcsParts, fields: Fields, readOnce: boolean): void {
  const from = readOnce || typeof fields !== 'object' || fields === null ? readFields(fields) : fields
  for (const key in from) {
    const value = from[key]
    if (key === 'tags' && isTagsValue(value)) {
      addTags(parts.tags ??= new Set(), value)
      continue
    }
    try {
      routeField(parts, key, value, readOnce)
    } catch (err) {
      // A revoked Proxy cannot even be told from an array: a marker in its place.
      routeField(parts, key, `[Unserializable: ${describeError(err)}]`, readOnce)
    }
  }
}

/**
 * One user field: an ECS name lands nested at its place, a scalar becomes a label
 * (sanitized key, string value), anything else goes under the `extraPrefix` object, its
 * dotted name nested there too. Later fields win over earlier ones at the same place.
 */
export function routeField (parts: EcsParts, key: string, value: unknown, readOnce: boolean): void {
  if (value === undefined || typeof value === 'function') return
  if (typeof value === 'symbol') value = String(value)
  const dot = key.indexOf('.')
  const head = dot === -1 ? key : key.slice(0, dot)
  if (ECS_FIELD_SETS.has(head) && !isReservedPath(key)) {
    if (dot !== -1) {
      setPath(parts.tree ??= {}, splitPath(key), toJsonSafe(value) ?? null)
      return
    }
    if (isPlainObject(value)) {
      const safe = toJsonSafe(value)
      if (isPlainObject(safe)) {
        const reserved = RESERVED_PATHS.get(head)
        if (reserved !== undefined && Object.hasOwn(safe, reserved)) {
          routeField(parts, `${head}.${reserved}`, safe[reserved], readOnce)
          delete safe[reserved]
        }
        mergeAt(parts.tree ??= {}, head, safe)
        return
      }
    }
  }
  if (head === 'labels' && dot !== -1) {
    routeLabel(parts, key.slice(dot + 1), value)
    return
  }
  if (head === 'labels' && isPlainObject(value)) {
    const safe = toJsonSafe(value)
    if (isPlainObject(safe)) {
      for (const [k, v] of Object.entries(safe)) routeLabel(parts, k, v)
      return
    }
  }
  if (isLabelValue(value)) {
    setLabel(parts, key, value)
    return
  }
  const safe = readOnce || !isPlainData(value, 0) ? toJsonSafe(value) : value
  if (dot === -1) mergeAt(parts.extra ??= {}, key, safe)
  else setPath(parts.extra ??= {}, splitPath(key), safe)
}

function setLabel (parts: EcsParts, key: string, value: string | number | boolean | bigint | null): void {
  setOwnKey(parts.labels ??= {}, sanitizeLabelKey(key), labelValue(value))
}

function routeLabel (parts: EcsParts, key: string, value: unknown): void {
  if (isLabelValue(value)) setLabel(parts, key, value)
  else if (value !== undefined) setPath(parts.extra ??= {}, ['labels', ...splitPath(key)], toJsonSafe(value))
}

function isReservedPath (key: string): boolean {
  for (const [set, field] of RESERVED_PATHS) {
    const path = `${set}.${field}`
    if (key === path || key.startsWith(path + '.')) return true
  }
  return false
}

// Empty segments (`a..b`, `a.`) would be empty field names, which Elasticsearch rejects.
function splitPath (key: string): string[] {
  const segments = key.split('.').filter((s) => s !== '')
  return segments.length === 0 ? ['_'] : segments
}

/** Writes `value` at `path`, copying (never changing) the objects on the way. */
export function setPath (root: Tree, path: readonly string[], value: unknown): void {
  let node = root
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] as string
    const existing = Object.hasOwn(node, segment) ? node[segment] : undefined
    const next: Tree = isPlainObject(existing) ? { ...existing } : {}
    setOwnKey(node, segment, next)
    node = next
  }
  mergeAt(node, path[path.length - 1] as string, value)
}

/** Sets `target[key]`, merging two objects deeply (the new value wins) without changing either. */
export function mergeAt (target: Tree, key: string, value: unknown): void {
  const existing = Object.hasOwn(target, key) ? target[key] : undefined
  setOwnKey(target, key, isPlainObject(existing) && isPlainObject(value) ? mergeObjects(existing, value) : value)
}

// `target.__proto__ = x` would set the prototype instead of writing the field.
function setOwnKey (target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A new object: `base` with `over` merged in deeply, `over` winning. Neither is changed. */
export function mergeObjects (base: Tree, over: Tree): Tree {
  const result: Tree = { ...base }
  for (const key of Object.keys(over)) mergeAt(result, key, over[key])
  return result
}
