import { execFile, type ExecFileOptions } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The repository root (tests run from build/test/...). */
export const ROOT = join(__dirname, '..', '..', '..')

/** The address the repository is published under, used for absolute links and package metadata. */
export const REPOSITORY_URL = 'https://github.com/logstash-async/logstash-async'

/** What a test reads from a package's package.json. */
export interface PackageManifest {
  name: string
  version: string
  private?: boolean
  license?: string
  main?: string
  types?: string
  files?: string[]
  exports?: Record<string, unknown>
  typesVersions?: Record<string, Record<string, string[]>>
  scripts?: Record<string, string>
  repository?: { type?: string, url?: string, directory?: string }
  homepage?: string
  bugs?: { url?: string }
  publishConfig?: { access?: string }
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

export interface WorkspacePackage {
  /** Directory relative to the root, e.g. `packages/core`. */
  path: string
  dir: string
  manifest: PackageManifest
}

/** Every publishable package: each packages/* directory with a package.json that is not private. */
export function publishablePackages (): WorkspacePackage[] {
  const parent = join(ROOT, 'packages')
  return readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(parent, entry.name)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest
      return { path: `packages/${entry.name}`, dir, manifest }
    })
    .filter((pkg) => pkg.manifest.private !== true)
}

/** The import specifiers a package offers: its name and each `exports` subpath without a pattern. */
export function importSpecifiers (manifest: PackageManifest): string[] {
  const subpaths = Object.keys(manifest.exports ?? { '.': null })
  return subpaths
    .filter((subpath) => subpath !== './package.json' && !subpath.includes('*'))
    .map((subpath) => subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`)
}

/**
 * Runs npm with the Node.js running the tests: the npm of `npm test` (npm_execpath) when there
 * is one, else the `npm` on PATH. Resolves with stdout; rejects with stderr in the message.
 */
export function runNpm (args: readonly string[], options: ExecFileOptions & { timeoutMs?: number } = {}): Promise<string> {
  const execPath = process.env.npm_execpath
  const [command, prefix] = execPath !== undefined && /npm-cli\.c?js$/.test(execPath)
    ? [process.execPath, [execPath]]
    : ['npm', []]
  return new Promise((resolve, reject) => {
    execFile(command, [...prefix, ...args], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 120_000,
      ...options,
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...options.env }
    }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`npm ${args.join(' ')} failed: ${err.message}\n${String(stderr)}`))
      else resolve(String(stdout))
    })
  })
}
