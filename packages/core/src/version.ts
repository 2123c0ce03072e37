import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** This package's version, for the `logstash_async_version` field. */
export const VERSION: string = readVersion()

function readVersion (): string {
  try {
    // dist/version.js and src/version.ts both sit one level below package.json.
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    return 'unknown'
  }
}
