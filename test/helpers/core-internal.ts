import { dirname, join } from 'node:path'

/**
 * Loads a module of the built core that its `exports` map does not publish (the CLI's
 * listener, the Lumberjack decoder), for unit tests of those internals. Type it with
 * `typeof import('<path to the source>')`: a type-only import compiles nothing twice.
 */
export function coreInternal<T> (path: string): T {
  const root = dirname(require.resolve('@logstash-async/core/package.json'))
  return require(join(root, 'dist', path)) as T
}
