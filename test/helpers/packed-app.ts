import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { publishablePackages, ROOT, runNpm, type PackageManifest, type WorkspacePackage } from './repository'

/** One tarball `npm pack` made, as `npm pack --json` describes it. */
export interface Tarball {
  name: string
  filename: string
  /** Paths inside the package, e.g. `dist/index.js`. */
  files: string[]
}

/** An application outside the repository with every package installed from its tarball. */
export interface PackedApp {
  /** The temporary directory holding the tarballs and `app/`. */
  work: string
  /** The application: package.json, node_modules with the installed tarballs. */
  dir: string
  packages: WorkspacePackage[]
  tarballs: Tarball[]
  remove: () => void
}

/** Third-party packages the consumers in test/consumers use besides the packages' own needs. */
const CONSUMER_DEPENDENCIES = ['express', 'fastify', '@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs', '@types/node', '@types/express']

/**
 * Packs every publishable package (each runs its `prepack`: a clean build), installs the
 * tarballs into a new application in the system's temporary directory, and links the
 * third-party packages they need from the repository's node_modules. The install runs with
 * `--offline`: it needs nothing that `npm ci` did not already fetch.
 */
export async function createPackedApp (): Promise<PackedApp> {
  const packages = publishablePackages()
  const work = mkdtempSync(join(tmpdir(), 'logstash-async-packed-'))
  const remove = (): void => rmSync(work, { recursive: true, force: true })
  try {
    const output = await runNpm(['pack', '--json', '--pack-destination', work, ...packages.flatMap((pkg) => ['--workspace', pkg.path])], { cwd: ROOT })
    const tarballs = (JSON.parse(output.slice(output.indexOf('['))) as Array<{ name: string, filename: string, files: Array<{ path: string }> }>)
      .map((entry) => ({ name: entry.name, filename: entry.filename, files: entry.files.map((file) => file.path) }))

    const dir = join(work, 'app')
    const ours = new Set(packages.map((pkg) => pkg.manifest.name))
    const dependencies: Record<string, string> = {}
    for (const tarball of tarballs) dependencies[tarball.name] = `file:../${tarball.filename}`
    for (const [name, from] of thirdPartyNeeds(packages, ours)) dependencies[name] = `file:${installedDirectory(name, from)}`
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'packed-app', private: true, dependencies }, null, 2) + '\n')
    await runNpm(['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir })
    return { work, dir, packages, tarballs, remove }
  } catch (err) {
    remove()
    throw err
  }
}

/** Each package's dependencies and required peers that are not ours, and the consumers' needs. */
function thirdPartyNeeds (packages: readonly WorkspacePackage[], ours: ReadonlySet<string>): Map<string, string> {
  const needs = new Map<string, string>()
  for (const { manifest, dir } of packages) {
    for (const name of [...Object.keys(manifest.dependencies ?? {}), ...requiredPeers(manifest)]) {
      if (!ours.has(name) && !needs.has(name)) needs.set(name, dir)
    }
  }
  for (const name of CONSUMER_DEPENDENCIES) if (!needs.has(name)) needs.set(name, ROOT)
  return needs
}

function requiredPeers (manifest: PackageManifest): string[] {
  return Object.keys(manifest.peerDependencies ?? {}).filter((name) => manifest.peerDependenciesMeta?.[name]?.optional !== true)
}

/** Where Node.js would find `name` from `from`: the nearest node_modules holding it. */
function installedDirectory (name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    if (dirname(dir) === dir) throw new Error(`${name} is not installed in the repository (needed from ${from}); run npm ci`)
  }
}

/** The package.json of an installed package inside the app. */
export function installedManifest (app: PackedApp, name: string): PackageManifest {
  return JSON.parse(readFileSync(join(app.dir, 'node_modules', name, 'package.json'), 'utf8')) as PackageManifest
}
