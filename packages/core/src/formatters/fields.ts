import { DEFAULT_LIMITS, errorTypeName, truncate } from './json-safe'
import { messageText } from './message'

const MAX_CAUSES = 10

/**
 * The whole stack of an error followed by its causes, outermost first, each cause's stack
 * after a line break and `Caused by: ` (the Java order, and the one Node's `util.inspect`
 * prints `[cause]` in); an AggregateError's errors follow its own stack, each prefixed with
 * `[errors[i]] ` and indented by four spaces. At most 10 causes; stops adding once the text
 * is past the string limit. Never throws; a thrown non-Error gives its `messageText`.
 */
export function stackWithCauses (error: unknown): string {
  const max = DEFAULT_LIMITS.maxStringLength
  const seen = new Set<unknown>()
  const parts: string[] = []
  let length = 0
  const add = (part: string): void => { parts.push(part); length += part.length + 1 }
  let current: unknown = error
  let prefix = ''
  for (let i = 0; i <= MAX_CAUSES && length <= max && current !== undefined && current !== null && !seen.has(current); i++) {
    seen.add(current)
    add(prefix + ownStack(current))
    if (isAggregateError(current)) {
      try {
        const errors: unknown = current.errors
        if (Array.isArray(errors)) {
          for (let index = 0; index < errors.length && length <= max; index++) add(`[errors[${index}]] ` + indent(ownStack(errors[index])))
        }
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
      if (typeof stack === 'string' && stack.length > 0) return truncate(stack, DEFAULT_LIMITS.maxStringLength)
      return truncate(`${errorTypeName(value)}: ${String(value.message)}`, DEFAULT_LIMITS.maxStringLength)
    }
    return messageText(value)
  } catch {
    return '[unprintable error]'
  }
}

// `instanceof` throws for a revoked Proxy.
function isAggregateError (value: unknown): value is AggregateError {
  try {
    return value instanceof AggregateError
  } catch {
    return false
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

/** The error's message, or the text of a thrown non-Error (`messageText`). Never throws. */
export function errorMessage (error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : messageText(error)
  } catch {
    return '[unprintable error]'
  }
}

/**
 * `stack_trace` of the Logstash event: `stackWithCauses` cut to the string limit, ending in
 * a newline as a Python traceback (`''.join(traceback.format_exception(...))`) does.
 */
export function logstashStackTrace (error: unknown): string {
  return truncate(stackWithCauses(error), DEFAULT_LIMITS.maxStringLength) + '\n'
}

/**
 * ECS `error.*`: class, message, the whole stack with its causes, and the error's own
 * `code` (`ECONNREFUSED`, `ERR_INVALID_ARG_TYPE`) when it has one.
 * https://www.elastic.co/guide/en/ecs/8.11/ecs-error.html
 */
export function ecsErrorFields (error: unknown): Record<string, string> {
  const fields: Record<string, string> = {
    type: errorType(error),
    message: truncate(errorMessage(error), DEFAULT_LIMITS.maxStringLength),
    stack_trace: truncate(stackWithCauses(error), DEFAULT_LIMITS.maxStringLength)
  }
  try {
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined
    if (typeof code === 'string' || typeof code === 'number') fields.code = truncate(String(code), DEFAULT_LIMITS.maxStringLength)
  } catch { /* a throwing getter: no code */ }
  return fields
}
