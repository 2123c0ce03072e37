/** The levels a logger offers, lowest first. */
export const LEVELS = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const)

export type Level = typeof LEVELS[number]

/** Numeric value per level, pino's numbers, so level filters compare integers. */
export const LEVEL_VALUES: Readonly<Record<Level, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60
})

export function isLevel (value: unknown): value is Level {
  return typeof value === 'string' && Object.hasOwn(LEVEL_VALUES, value)
}
