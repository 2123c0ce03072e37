import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

interface SpecField {
  type: string
  required: boolean
  index?: number
  nesting_allowed?: boolean
  sanitization?: { key: { replacements: string[], substitute: string } }
}

interface Spec { fields: Record<string, SpecField> }

// build/test/helpers → the repository root, where the vendored copy of the spec lives.
const SPEC_PATH = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'ecs-logging-spec.json')

/** The ecs-logging spec, vendored from the shared fixtures. */
export const ECS_SPEC: Spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec

/**
 * Checks one line against the ecs-logging spec and returns the parsed event. Throws an
 * AssertionError-like Error naming the rule that failed: one line of valid JSON without
 * duplicate keys (Elasticsearch rejects those), every required field present with its type,
 * indexed fields (`@timestamp`, `log.level`, `message`) first and in order, fields that
 * must not be nested (`log.level`) written as dotted keys and not nested too, no field
 * both dotted and nested, and `labels` keys sanitized.
 */
export function assertEcsLine (line: string): Record<string, unknown> {
  const problems: string[] = []
  if (line.includes('\n')) problems.push('the event spans more than one line')
  let event: Record<string, unknown>
  try {
    event = JSON.parse(line) as Record<string, unknown>
  } catch (err) {
    throw new Error(`not valid JSON (${(err as Error).message}): ${line.slice(0, 200)}`)
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new Error(`not a JSON object: ${line.slice(0, 200)}`)
  const duplicate = findDuplicateKey(line)
  if (duplicate !== undefined) problems.push(`duplicate key ${JSON.stringify(duplicate)}`)

  const keys = Object.keys(event)
  for (const [name, field] of Object.entries(ECS_SPEC.fields)) {
    const dotted = Object.hasOwn(event, name)
    const nested = name.includes('.') ? readNested(event, name.split('.')) : undefined
    if (field.nesting_allowed === false && nested !== undefined) problems.push(`${name} is nested, the spec forbids it`)
    if (dotted && nested !== undefined) problems.push(`${name} is written both dotted and nested`)
    const value = dotted ? event[name] : (field.nesting_allowed === false ? undefined : nested)
    if (value === undefined) {
      if (field.required) problems.push(`required field ${name} is missing`)
      continue
    }
    if (field.index !== undefined && keys[field.index] !== name) {
      problems.push(`${name} must be key #${field.index}, found ${JSON.stringify(keys[field.index])} there (keys: ${keys.slice(0, 4).join(', ')})`)
    }
    if (field.type === 'string' && typeof value !== 'string') problems.push(`${name} must be a string, got ${typeof value}`)
    if (field.type === 'datetime' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || !value.endsWith('Z'))) {
      problems.push(`${name} must be an ISO 8601 UTC time, got ${JSON.stringify(value)}`)
    }
    if (field.type === 'object' && (typeof value !== 'object' || value === null || Array.isArray(value))) problems.push(`${name} must be an object`)
    if (field.sanitization !== undefined && typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        for (const bad of field.sanitization.key.replacements) {
          if (key.includes(bad)) problems.push(`${name} key ${JSON.stringify(key)} contains ${JSON.stringify(bad)}`)
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`not a valid ecs-logging event: ${problems.join('; ')}\n${line.slice(0, 500)}`)
  return event
}

function readNested (event: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = event
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return node
}

/** The first key that appears twice in one object of a (valid) JSON text. */
function findDuplicateKey (json: string): string | undefined {
  const stack: (Set<string> | null)[] = []
  let expectKey = false
  for (let i = 0; i < json.length; i++) {
    const c = json[i]
    if (c === '"') {
      let end = i + 1
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1
      const keys = stack[stack.length - 1]
      if (expectKey && keys !== undefined && keys !== null) {
        const key = JSON.parse(json.slice(i, end + 1)) as string
        if (keys.has(key)) return key
        keys.add(key)
      }
      expectKey = false
      i = end
    } else if (c === '{') { stack.push(new Set()); expectKey = true } else if (c === '[') { stack.push(null) } else if (c === '}' || c === ']') { stack.pop() } else if (c === ',') { expectKey = stack[stack.length - 1] !== null }
  }
  return undefined
}

/** Every leaf of an event as a dotted path (`http.request.method`), arrays being leaves. */
export function leafPaths (value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix]
  const paths: string[] = []
  for (const [key, child] of Object.entries(value)) paths.push(...leafPaths(child, prefix === '' ? key : `${prefix}.${key}`))
  return paths
}

/** The value at a dotted path, reading dotted keys (`log.level`) and nesting alike. */
export function valueAt (event: unknown, path: string): unknown {
  if (typeof event !== 'object' || event === null) return undefined
  if (Object.hasOwn(event, path)) return (event as Record<string, unknown>)[path]
  const dot = path.indexOf('.')
  if (dot === -1) return undefined
  for (let end = dot; end !== -1; end = path.indexOf('.', end + 1)) {
    const head = path.slice(0, end)
    if (Object.hasOwn(event, head)) {
      const found = valueAt((event as Record<string, unknown>)[head], path.slice(end + 1))
      if (found !== undefined) return found
    }
  }
  return undefined
}
