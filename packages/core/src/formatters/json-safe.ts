import { DEFAULT_LIMITS, describeError, errorTypeName, truncate, type SafeJsonLimits } from './limits'

// The limits live beside this file; re-exported for the package's entry points (modules
// of this package import them from there: a re-export is a getter).
export { DEFAULT_LIMITS, describeError, errorTypeName, truncate, type SafeJsonLimits } from './limits'

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** The objects on the path from the root to the value being converted, by depth. */
export type Ancestors = (object | undefined)[]

const OBJECT_PROTOTYPE = Object.prototype
const DATE_TO_JSON = Date.prototype.toJSON
const DATE_GET_TIME = Date.prototype.getTime

/**
 * A copy of any value that `JSON.stringify` writes faithfully and without throwing, made in
 * one pass that reads every property exactly once (a getter that answers differently on a
 * second read cannot change what was checked). The copy holds only strings, finite numbers,
 * booleans, null, arrays and plain objects. What cannot be written as it is gets a readable
 * stand-in, in its own place, and everything around it is kept: cycles (`"[Circular]"`),
 * BigInt (its digits), Symbols, Errors (type, message, stack, own properties, cause), Dates
 * (ISO UTC), Maps, Sets, Buffers (base64), typed arrays, NaN and Infinity (null), throwing
 * getters and `toJSON()` methods, hostile Proxies, and values past the limits. `undefined`
 * and functions are left out, as JSON does.
 */
export function toJsonSafe (value: unknown, limits: SafeJsonLimits = DEFAULT_LIMITS): Json | undefined {
  if (isFinal(value, limits)) return value as Json
  const ancestors = takeAncestors()
  const converted = convert(value, limits, 0, ancestors)
  releaseAncestors(ancestors)
  return converted
}

/**
 * `toJsonSafe` for the fields of one event, sharing one ancestors array: take it with
 * `takeAncestors()`, give it back with `releaseAncestors()`.
 */
export function toJsonSafeWith (value: unknown, ancestors: Ancestors): Json | undefined {
  return typeof value === 'object' && value !== null ? convertObjectAt(value, DEFAULT_LIMITS, 0, ancestors) : convert(value, DEFAULT_LIMITS, 0, ancestors)
}

// The ancestors array, reused from one call to the next: growing a fresh one per value costs
// more than the rest of a small conversion. A call made while it is in use (a getter that
// logs) gets its own; one never given back (it cannot happen: conversion never throws) is
// simply replaced.
let spareAncestors: Ancestors | undefined = []

/** The ancestors array for a series of `toJsonSafeWith` calls. */
export function takeAncestors (): Ancestors {
  const ancestors = spareAncestors ?? []
  spareAncestors = undefined
  return ancestors
}

/** Gives the array back (`convert` leaves it empty). */
export function releaseAncestors (ancestors: Ancestors): void {
  spareAncestors = ancestors
}

// `ancestors[0..depth-1]` are the objects on the path from the root: meeting one again is a cycle.
function convert (value: unknown, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): Json | undefined {
  switch (typeof value) {
    case 'string': return value.length <= limits.maxStringLength ? value : truncate(value, limits.maxStringLength)
    case 'number': return Number.isFinite(value) ? value : null
    case 'boolean': return value
    // String() of a primitive runs no user code (a patched toString cannot throw here).
    case 'bigint': case 'symbol': return String(value)
    case 'undefined': case 'function': return undefined
  }
  return value === null ? null : convertObjectAt(value as object, limits, depth, ancestors)
}

/** `toJsonSafe` of an object (not null), sharing `ancestors` with sibling values. */
export function convertObjectAt (object: object, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): Json | undefined {
  for (let i = 0; i < depth; i++) if (ancestors[i] === object) return '[Circular]'
  if (depth >= limits.maxDepth) return isArray(object) ? '[Array]' : '[Object]'
  ancestors[depth] = object
  try {
    // Plain arrays and plain objects, the common case, are converted here: one slice or one
    // spread reads every property once (V8 copies a plain object's layout in one step), then
    // only the values that are not final yet are replaced in the copy.
    if (Array.isArray(object)) {
      if (Object.getPrototypeOf(object) !== Array.prototype) return convertItems(object, object.length, limits, depth, ancestors)
      return convertArray(object, limits, depth, ancestors)
    }
    const proto: unknown = Object.getPrototypeOf(object)
    if (proto !== OBJECT_PROTOTYPE && proto !== null) return convertObject(object, limits, depth, ancestors)
    let copy: Record<string, unknown>
    try {
      copy = { ...object }
    } catch {
      // A Proxy whose traps throw: key by key, each failure a marker in its place.
      return convertPlain(object, limits, depth, ancestors)
    }
    // A `toJSON` of its own (the copy has it when it is enumerable, as they always are in literals).
    const toJSON = copy.toJSON
    if (typeof toJSON === 'function') return convertReplaced(object, toJSON, limits, depth, ancestors)
    const maxString = limits.maxStringLength
    let count = 0
    for (const key in copy) {
      if (++count > limits.maxObjectKeys) return trimKeys(copy, limits.maxObjectKeys)
      const value = copy[key]
      if (typeof value === 'object' ? value !== null : typeof value === 'string' ? value.length > maxString : typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'boolean') {
        const converted = typeof value === 'object' ? convertObjectAt(value as object, limits, depth + 1, ancestors) : convert(value, limits, depth + 1, ancestors)
        if (key === '__proto__') setOwn(copy as { [key: string]: Json }, key, converted as Json)
        else copy[key] = converted
      }
    }
    return copy as { [key: string]: Json }
  } catch (err) {
    return `[Unserializable: ${describeError(err)}]`
  } finally {
    // Nothing logged stays reachable from the shared array once converted.
    ancestors[depth] = undefined
  }
}

// The keys past the limit leave the copy (every value kept so far is converted already).
function trimKeys (copy: Record<string, unknown>, max: number): { [key: string]: Json } {
  const keys = Object.keys(copy)
  for (let i = max; i < keys.length; i++) delete copy[keys[i] as string]
  copy['...'] = `${keys.length - max} more keys`
  return copy as { [key: string]: Json }
}

// Array.isArray throws for a revoked Proxy.
function isArray (value: object): boolean {
  try {
    return Array.isArray(value)
  } catch {
    return false
  }
}

/**
 * True when `value` is already what a JSON-safe copy holds: a string within the limit, a
 * finite number, a boolean or null. Everything else goes through `toJsonSafe`.
 */
export function isFinal (value: unknown, limits: SafeJsonLimits = DEFAULT_LIMITS): boolean {
  switch (typeof value) {
    case 'string': return value.length <= limits.maxStringLength
    case 'number': return Number.isFinite(value)
    case 'boolean': return true
    default: return value === null
  }
}

// Everything but arrays and plain objects: built-in types, then class instances.
function convertObject (object: object, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): Json | undefined {
  if (object instanceof Date) {
    const toJSON = (object as { toJSON?: unknown }).toJSON
    if (toJSON === DATE_TO_JSON || typeof toJSON !== 'function') return isoOrNull(object)
    return convertReplaced(object, toJSON, limits, depth, ancestors)
  }
  if (object instanceof Error) return convertError(object, limits, depth, ancestors)
  if (Buffer.isBuffer(object)) return base64(object, limits.maxStringLength)
  if (ArrayBuffer.isView(object)) {
    if (object instanceof DataView) return base64(Buffer.from(object.buffer, object.byteOffset, object.byteLength), limits.maxStringLength)
    const items = object as unknown as ArrayLike<number | bigint>
    return convertItems(items, items.length, limits, depth, ancestors)
  }
  if (object instanceof ArrayBuffer || object instanceof SharedArrayBuffer) return base64(Buffer.from(object), limits.maxStringLength)
  if (object instanceof Map) return convertMap(object, limits, depth, ancestors)
  if (object instanceof Set) return convertSet(object, limits, depth, ancestors)
  if (object instanceof RegExp) return truncate(String(object), limits.maxStringLength)
  if (object instanceof WeakMap || object instanceof WeakSet || object instanceof Promise) return `[${errorTypeName(object)}]`
  const toJSON = (object as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return convertReplaced(object, toJSON, limits, depth, ancestors)
  return convertPlain(object, limits, depth, ancestors)
}

// What `toJSON()` returns is converted like any value (cut, cycles marked): it is not
// trusted because it came from the object. One level deeper, so a toJSON that keeps
// returning new objects with a toJSON of their own ends at the depth limit.
function convertReplaced (object: object, toJSON: Function, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): Json | undefined {
  let replaced: unknown
  try {
    replaced = toJSON.call(object, '')
  } catch (err) {
    return `[toJSON threw: ${describeError(err)}]`
  }
  return replaced === object ? convertPlain(object, limits, depth, ancestors) : convert(replaced, limits, depth + 1, ancestors)
}

// A plain array, fast: one slice reads every item once, then only items that are not
// final yet are replaced in the copy.
function convertArray (array: unknown[], limits: SafeJsonLimits, depth: number, ancestors: Ancestors): Json[] {
  const length = array.length
  let copy: unknown[]
  try {
    copy = length <= limits.maxArrayLength ? array.slice() : array.slice(0, limits.maxArrayLength)
  } catch {
    return convertItems(array, length, limits, depth, ancestors)
  }
  const maxStringLength = limits.maxStringLength
  for (let i = 0; i < copy.length; i++) {
    const item = copy[i]
    if (typeof item === 'object' ? item !== null : typeof item === 'string' ? item.length > maxStringLength : typeof item === 'number' ? !Number.isFinite(item) : typeof item !== 'boolean') {
      copy[i] = (typeof item === 'object' ? convertObjectAt(item as object, limits, depth + 1, ancestors) : convert(item, limits, depth + 1, ancestors)) ?? null
    }
  }
  if (length > copy.length) copy.push(`[... ${length - copy.length} more items]`)
  return copy as Json[]
}

function convertItems (items: ArrayLike<unknown>, length: number, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): Json[] {
  const n = Math.min(length, limits.maxArrayLength)
  const result: Json[] = new Array(n)
  for (let i = 0; i < n; i++) {
    let item: Json | undefined
    try {
      item = convert(items[i], limits, depth + 1, ancestors)
    } catch (err) {
      item = `[Getter threw: ${describeError(err)}]`
    }
    result[i] = item === undefined ? null : item
  }
  if (length > n) result.push(`[... ${length - n} more items]`)
  return result
}

function convertPlain (object: object, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): { [key: string]: Json } {
  const result: { [key: string]: Json } = {}
  const keys = Object.keys(object)
  const n = Math.min(keys.length, limits.maxObjectKeys)
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string
    let converted: Json | undefined
    try {
      converted = convert((object as Record<string, unknown>)[key], limits, depth + 1, ancestors)
    } catch (err) {
      converted = `[Getter threw: ${describeError(err)}]`
    }
    if (converted !== undefined) setOwn(result, key, converted)
  }
  if (keys.length > n) result['...'] = `${keys.length - n} more keys`
  return result
}

function convertError (err: Error, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): { [key: string]: Json } {
  const next = (v: unknown): Json | undefined => convert(v, limits, depth + 1, ancestors)
  const read = (key: string): unknown => {
    try { return (err as unknown as Record<string, unknown>)[key] } catch (e) { return `[Getter threw: ${describeError(e)}]` }
  }
  const result: { [key: string]: Json } = { type: errorTypeName(err) }
  const message = next(read('message'))
  if (message !== undefined) result.message = message
  const stack = next(read('stack'))
  if (stack !== undefined) result.stack = stack
  // Own enumerable properties (code, errno, statusCode...) carry the useful details.
  for (const [key, converted] of Object.entries(convertPlain(err, limits, depth, ancestors))) {
    if (!Object.hasOwn(result, key)) setOwn(result, key, converted)
  }
  if (!Object.hasOwn(result, 'cause')) {
    const cause = next(read('cause'))
    if (cause !== undefined) result.cause = cause
  }
  if (err instanceof AggregateError && !Object.hasOwn(result, 'errors')) {
    const errors = next(read('errors'))
    if (errors !== undefined) result.errors = errors
  }
  return result
}

function convertMap (map: Map<unknown, unknown>, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): { [key: string]: Json } {
  const result: { [key: string]: Json } = {}
  let count = 0
  for (const [key, v] of map) {
    if (count++ >= limits.maxObjectKeys) { result['...'] = `${map.size - limits.maxObjectKeys} more keys`; break }
    const converted = convert(v, limits, depth + 1, ancestors)
    if (converted !== undefined) setOwn(result, mapKey(key), converted)
  }
  return result
}

function convertSet (set: Set<unknown>, limits: SafeJsonLimits, depth: number, ancestors: Ancestors): Json[] {
  const result: Json[] = []
  for (const item of set) {
    if (result.length >= limits.maxArrayLength) { result.push(`[... ${set.size - limits.maxArrayLength} more items]`); break }
    result.push(convert(item, limits, depth + 1, ancestors) ?? null)
  }
  return result
}

/** Sets `target[key]` as an own property: `target.__proto__ = x` would set the prototype instead. */
export function setOwn (target: { [key: string]: Json }, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

function mapKey (key: unknown): string {
  if (typeof key === 'string') return key
  if (typeof key === 'object' && key !== null) return `[${errorTypeName(key)}]`
  return String(key)
}

// Only the bytes that fit are encoded: a 10 MB Buffer must not become a 13 MB string first.
function base64 (bytes: Buffer, maxLength: number): string {
  const fits = Math.floor(maxLength / 4) * 3
  if (bytes.length <= fits) return bytes.toString('base64')
  return `${bytes.subarray(0, fits).toString('base64')}...[${bytes.length - fits} more bytes]`
}

/** An ISO string for any `Date`, or `null` for an invalid one (JSON has no NaN); runs no user code. */
export function isoOrNull (date: Date): string | null {
  const time = DATE_GET_TIME.call(date)
  return Number.isFinite(time) ? new Date(time).toISOString() : null
}

