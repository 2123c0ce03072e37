import { DEFAULT_LIMITS, errorTypeName, truncate } from './limits'
import { messageText } from './message'

const MAX_CAUSES = 10

/**
 * The whole stack of an error followed by its causes, outermost first, each cause's stack
 * after a line break and `Caused by: ` (the Java order, and the one Node's `util.inspect`
 * prints `[cause]` in); an AggregateError's errors follow its own stack, each after a line
 * break, prefixed with `[errors[i]] ` and indented by four spaces. At most 10 causes and
 * 1000 errors; past the string limit the text ends in `...[N more characters]`. Never
 * throws; a thrown non-Error gives its `messageText`.
 */
export function stackWithCauses (error: unknown): string {
  const text = new BoundedText(DEFAULT_LIMITS.maxStringLength)
  const seen = new Set<unknown>()
  let current: unknown = error
  for (let i = 0; i <= MAX_CAUSES && current !== undefined && current !== null && !seen.has(current); i++) {
    seen.add(current)
    if (i > 0) text.add('\nCaused by: ')
    text.add(ownStack(current))
    if (isAggregateError(current)) {
      try {
        const errors: unknown = current.errors
        if (Array.isArray(errors)) {
          const n = Math.min(errors.length, DEFAULT_LIMITS.maxArrayLength)
          for (let index = 0; index < n; index++) {
            text.add(`\n[errors[${index}]] `)
            // Only what can still be kept is indented: a huge inner stack is not copied first.
            const inner = ownStack(errors[index])
            const kept = inner.slice(0, text.room)
            text.add(indent(kept))
            text.skip(inner.length - kept.length)
          }
        }
      } catch { /* a hostile errors getter: the stack above is still worth sending */ }
    }
    current = readCause(current)
  }
  return text.toString()
}

// Text that keeps its first `max` characters and counts the rest.
class BoundedText {
  #text = ''
  #dropped = 0
  readonly #max: number

  constructor (max: number) {
    this.#max = max
  }

  /** Characters that can still be kept. */
  get room (): number {
    return Math.max(0, this.#max - this.#text.length)
  }

  add (part: string): void {
    const room = this.room
    if (part.length <= room) {
      this.#text += part
      return
    }
    const kept = truncate(part, room)
    const end = kept === part ? part.length : room - (isHighSurrogate(part.charCodeAt(room - 1)) ? 1 : 0)
    this.#text += part.slice(0, end)
    this.#dropped += part.length - end
  }

  skip (count: number): void {
    this.#dropped += count
  }

  toString (): string {
    return this.#dropped === 0 ? this.#text : `${this.#text}...[${this.#dropped} more characters]`
  }
}

function isHighSurrogate (code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function ownStack (value: unknown): string {
  try {
    if (value instanceof Error) {
      const stack = value.stack
      if (typeof stack === 'string' && stack.length > 0) return stack
      return `${errorTypeName(value)}: ${String(value.message)}`
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
 * `stack_trace` of the Logstash event: `stackWithCauses`, ending in
 * a newline as a Python traceback (`''.join(traceback.format_exception(...))`) does.
 */
export function logstashStackTrace (error: unknown): string {
  return stackWithCauses(error) + '\n'
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
    stack_trace: stackWithCauses(error)
  }
  try {
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined
    if (typeof code === 'string' || typeof code === 'number') fields.code = truncate(String(code), DEFAULT_LIMITS.maxStringLength)
  } catch { /* a throwing getter: no code */ }
  return fields
}
