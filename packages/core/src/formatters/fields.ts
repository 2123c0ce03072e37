import { errorTypeName } from './json-safe'

const MAX_CAUSES = 10

/**
 * The whole stack of an error followed by its causes (`Caused by: ...`), and for an
 * AggregateError its errors, as Java and python-logstash-async users expect to read them.
 * Never throws; a thrown non-Error gives its string form.
 */
export function stackWithCauses (error: unknown): string {
  const seen = new Set<unknown>()
  const parts: string[] = []
  let current: unknown = error
  let prefix = ''
  for (let i = 0; i <= MAX_CAUSES && current !== undefined && current !== null && !seen.has(current); i++) {
    seen.add(current)
    parts.push(prefix + ownStack(current))
    if (current instanceof AggregateError) {
      try {
        current.errors.forEach((inner: unknown, index: number) => {
          parts.push(`[errors[${index}]] ` + indent(ownStack(inner)))
        })
      } catch { /* a hostile errors getter: the stack above is still worth sending */ }
    }
    current = readCause(current)
    prefix = 'Caused by: '
  }
  return parts.join('\n')
}

function ownStack (value: unknown): string {
  try {
    if (value instanceof Error) {
      const stack = value.stack
      if (typeof stack === 'string' && stack.length > 0) return stack
      return `${errorTypeName(value)}: ${value.message}`
    }
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
  } catch {
    try { return String(value) } catch { return '[unprintable error]' }
  }
}

function readCause (value: unknown): unknown {
  try {
    return value instanceof Error ? value.cause : undefined
  } catch {
    return undefined
  }
}

function indent (text: string): string {
  return text.replace(/\n/g, '\n    ')
}

/** `error_type` / `error.type`: the class name for errors, the JavaScript type otherwise. */
export function errorType (error: unknown): string {
  return errorTypeName(error)
}

/** The error's message, or the string form of a thrown non-Error. Never throws. */
export function errorMessage (error: unknown): string {
  try {
    if (error instanceof Error) return String(error.message)
    return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error)
  } catch {
    return '[unprintable error]'
  }
}

/**
 * ECS `error.*`: class, message, the whole stack with its causes, and the error's own
 * `code` (`ECONNREFUSED`, `ERR_INVALID_ARG_TYPE`) when it has one.
 * https://www.elastic.co/guide/en/ecs/8.11/ecs-error.html
 */
export function ecsErrorFields (error: unknown): Record<string, string> {
  const fields: Record<string, string> = {
    type: errorType(error),
    message: errorMessage(error),
    stack_trace: stackWithCauses(error)
  }
  try {
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined
    if (typeof code === 'string' || typeof code === 'number') fields.code = String(code)
  } catch { /* a throwing getter: no code */ }
  return fields
}
