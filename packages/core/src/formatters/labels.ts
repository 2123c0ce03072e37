import { truncate, DEFAULT_LIMITS } from './limits'

// ecs-logging spec, `labels.sanitization.key`: these characters become `_` in label keys,
// because Elasticsearch would read a dot as nesting and the others break queries.
const LABEL_KEY_UNSAFE = /[.*\\]/
const LABEL_KEY_UNSAFE_ALL = /[.*\\]/g

/** A label key as the ecs-logging spec wants it: `.`, `*` and `\` replaced by `_`. */
export function sanitizeLabelKey (key: string): string {
  return LABEL_KEY_UNSAFE.test(key) ? key.replace(LABEL_KEY_UNSAFE_ALL, '_') : key
}

/** True for values that can be a label: strings, numbers, booleans, bigints and null. */
export function isLabelValue (value: unknown): value is string | number | boolean | bigint | null {
  const type = typeof value
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint' || value === null
}

/**
 * ECS stores every label as a keyword, so numbers and booleans are written as strings
 * (as the Elastic APM agent's `setLabel` does): the same label holding `42` in one event and
 * `"E42"` in the next can then never make Elasticsearch reject the event for a mapping conflict.
 */
export function labelValue (value: string | number | boolean | bigint | null): string | null {
  if (value === null) return null
  return typeof value === 'string' ? truncate(value, DEFAULT_LIMITS.maxStringLength) : String(value)
}
