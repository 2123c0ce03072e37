/**
 * Loads a built-in module that Node.js still marks experimental (`node:sqlite` prints
 * "ExperimentalWarning: SQLite is an experimental feature" on Node.js 22.13 to 23), without
 * that one warning: it is about this library's choice of driver, and an application cannot
 * act on it. Only while this synchronous call runs, and only an `ExperimentalWarning` whose
 * message names `feature`, is held back; every other warning, the application's included,
 * goes through. Node.js warns once per feature and process (and per worker thread), so an
 * application loading the same module afterwards gets no warning either way.
 */
export function loadExperimentalBuiltin<T> (id: string, feature: string): T | undefined {
  const emitWarning = process.emitWarning
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    if (isExperimentalWarningOf(feature, warning, rest[0])) return
    ;(emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest)
  } as typeof process.emitWarning
  try {
    return process.getBuiltinModule(id) as T | undefined
  } finally {
    process.emitWarning = emitWarning
  }
}

/**
 * Whether `process.emitWarning(warning, typeOrOptions)` is Node's experimental warning
 * for `feature` ("SQLite is an experimental feature and might change at any time").
 */
export function isExperimentalWarningOf (feature: string, warning: string | Error, typeOrOptions: unknown): boolean {
  const type = warning instanceof Error
    ? warning.name
    : typeof typeOrOptions === 'string'
      ? typeOrOptions
      : (typeOrOptions as { type?: unknown } | undefined)?.type
  const message = warning instanceof Error ? warning.message : warning
  return type === 'ExperimentalWarning' && typeof message === 'string' && message.startsWith(`${feature} is an experimental feature`)
}
