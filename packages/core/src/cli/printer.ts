import type { InputName } from './inputs/types'

/** How events are printed. */
export interface PrinterOptions {
  /** A readable line per event plus its fields, instead of the event's JSON. */
  pretty: boolean
  /** ANSI colours (pretty output only). */
  color: boolean
}

// Fields every event of a process repeats: left out of the pretty output, kept in JSON.
const HIDDEN = new Set([
  '@timestamp', '@version', 'host', 'logsource', 'pid', 'program', 'type', 'level', 'message',
  'logstash_async_version', 'interpreter', 'interpreter_version', 'process_name', 'thread_name',
  'stack_trace', 'log.level', 'ecs.version', 'error.stack_trace'
])
const HIDDEN_PREFIXES = ['process.', 'host.']
// Logstash format's extraPrefix: its fields are shown without the prefix.
const EXTRA = 'extra'

const STYLE = {
  dim: '2', red: '31', green: '32', yellow: '33', magenta: '35', cyan: '36', gray: '90', boldRed: '1;31'
} as const

const LEVEL_STYLES: Record<string, keyof typeof STYLE> = {
  TRACE: 'gray', DEBUG: 'gray', INFO: 'green', WARN: 'yellow', WARNING: 'yellow', ERROR: 'red', CRITICAL: 'boldRed', FATAL: 'boldRed'
}

/** Turns an event into the text to print: one JSON line, or a pretty block. Never throws. */
export function createPrinter (options: PrinterOptions): (event: Record<string, unknown>, input: InputName) => string {
  if (!options.pretty) return (event) => JSON.stringify(event) + '\n'
  const paint = (style: keyof typeof STYLE, text: string): string => options.color ? `\u001b[${STYLE[style]}m${text}\u001b[0m` : text
  return (event, input) => {
    try {
      return prettyEvent(event, input, paint)
    } catch {
      return JSON.stringify(event) + '\n'
    }
  }
}

function prettyEvent (event: Record<string, unknown>, input: InputName, paint: (style: keyof typeof STYLE, text: string) => string): string {
  const fields = flatten(event)
  const timestamp = String(fields.get('@timestamp') ?? '')
  const time = /T(\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(timestamp)?.[1] ?? timestamp
  const level = String(fields.get('level') ?? fields.get('log.level') ?? '-').toUpperCase()
  const message = String(fields.get('message') ?? '')
  let text = `${paint('dim', time)} ${paint(LEVEL_STYLES[level] ?? 'cyan', level.padEnd(8))} ${paint('cyan', `[${input}]`)} ${message}\n`
  const shown: string[] = []
  for (const [key, value] of fields) {
    if (HIDDEN.has(key) || HIDDEN_PREFIXES.some((prefix) => key.startsWith(prefix))) continue
    shown.push(`${paint('dim', key + '=')}${render(value)}`)
  }
  if (shown.length > 0) text += `    ${shown.join(' ')}\n`
  const stack = fields.get('stack_trace') ?? fields.get('error.stack_trace')
  if (typeof stack === 'string' && stack !== '') text += paint('red', stack.replace(/^/gm, '    ')) + '\n'
  return text
}

/** Dotted keys for nested objects; the Logstash `extra` object's fields lose the prefix. */
function flatten (event: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>()
  const walk = (value: Record<string, unknown>, prefix: string): void => {
    for (const [key, inner] of Object.entries(value)) {
      const name = prefix === '' && key === EXTRA ? '' : prefix + key
      if (typeof inner === 'object' && inner !== null && !Array.isArray(inner) && Object.keys(inner).length > 0) {
        walk(inner as Record<string, unknown>, name === '' ? '' : name + '.')
      } else {
        out.set(name, inner)
      }
    }
  }
  walk(event, '')
  return out
}

function render (value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)
  return JSON.stringify(value) ?? String(value)
}
