import { LEVEL_VALUES, isLevel, type Level } from '@logstash-async/core'

/** What pino announces to its destination: its levels, both ways. */
export interface PinoLevels {
  labels: Readonly<Record<string, string>>
  values: Readonly<Record<string, number>>
}

// Level names other loggers use, for pino custom levels named after them.
const NAMED_LEVELS: Readonly<Record<string, Level>> = Object.freeze({
  ...Object.fromEntries(Object.keys(LEVEL_VALUES).map((level) => [level, level as Level])),
  silly: 'trace',
  verbose: 'debug',
  http: 'info',
  notice: 'info',
  warning: 'warn',
  err: 'error',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal'
})

/** A line's level: ours, and pino's label when it is not one of ours (a custom level). */
export interface MappedLevel {
  level: Level
  custom: string | undefined
}

/**
 * pino's level, a number (10 trace ... 60 fatal, custom levels in between) or a label (from
 * `formatters.level`), as one of ours: first `levelMap`, then the label's name when it is
 * ours or another logger's (`warning`, `notice`, `critical`...), then the number on pino's
 * scale, rounded down to the standard level below it (35 is `info`).
 */
export function mapPinoLevel (value: unknown, levels: PinoLevels | undefined, levelMap: Readonly<Record<string, Level>> | undefined): MappedLevel {
  const label = typeof value === 'string' ? value : typeof value === 'number' ? levels?.labels[value] : undefined
  if (levelMap !== undefined) {
    const mapped = (label === undefined ? undefined : levelMap[label]) ?? (typeof value === 'number' ? levelMap[value] : undefined)
    if (mapped !== undefined) return { level: mapped, custom: customLabel(label) }
  }
  if (label !== undefined) {
    const named = Object.hasOwn(NAMED_LEVELS, label) ? NAMED_LEVELS[label] : undefined
    if (named !== undefined) return { level: named, custom: customLabel(label) }
  }
  const number = typeof value === 'number' ? value : label === undefined ? undefined : levels?.values[label]
  return { level: number === undefined ? 'info' : levelOfNumber(number), custom: customLabel(label) }
}

/** pino's numbers as ours: each standard level and the custom ones above it up to the next. */
export function pinoLevel (value: unknown): Level {
  return mapPinoLevel(value, undefined, undefined).level
}

function levelOfNumber (value: number): Level {
  return value >= 60 ? 'fatal' : value >= 50 ? 'error' : value >= 40 ? 'warn' : value >= 30 ? 'info' : value >= 20 ? 'debug' : 'trace'
}

function customLabel (label: string | undefined): string | undefined {
  return label === undefined || isLevel(label) ? undefined : label
}
