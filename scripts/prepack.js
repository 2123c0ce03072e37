#!/usr/bin/env node
'use strict'
// `prepack` of every package (npm pack, npm publish, lerna publish): builds the package from
// a clean dist/ and refuses to pack when something a user would load is missing. Without it,
// `npm pack` on an unbuilt clone made a tarball holding only package.json and README.md.
//
// Run with the package directory as the working directory (npm does that for lifecycle
// scripts). Exits non-zero, with the reason on stderr, when it cannot build or check.

const { spawnSync } = require('node:child_process')
const { existsSync, readFileSync, rmSync, readdirSync, statSync } = require('node:fs')
const { dirname, join, relative, resolve } = require('node:path')

const packageDir = process.cwd()
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
const name = manifest.name ?? packageDir

function fail (message) {
  process.stderr.write(`\nprepack ${name}: ${message}\n\n`)
  process.exit(1)
}

/** The repository's TypeScript compiler, wherever npm installed it. */
function findTsc () {
  let typescriptManifest
  try {
    typescriptManifest = require.resolve('typescript/package.json', { paths: [packageDir] })
  } catch {
    return fail('cannot build: TypeScript is not installed. Run `npm ci` at the repository root, then pack again.')
  }
  const { bin } = JSON.parse(readFileSync(typescriptManifest, 'utf8'))
  return join(dirname(typescriptManifest), typeof bin === 'string' ? bin : bin.tsc)
}

/** Every file the manifest points a user at: main, types, bin and each exports target. */
function entryPoints () {
  const paths = new Set()
  const add = (value) => {
    if (typeof value === 'string') {
      if (!value.includes('*')) paths.add(value)
    } else if (value !== null && typeof value === 'object') {
      for (const inner of Object.values(value)) add(inner)
    }
  }
  add(manifest.main)
  add(manifest.types)
  add(manifest.bin)
  add(manifest.exports)
  return [...paths]
}

/** Each source map's `sources` must name a file that is shipped (src/ is in `files`). */
function brokenSourceMaps (dir) {
  const broken = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) {
      broken.push(...brokenSourceMaps(path))
    } else if (entry.endsWith('.map')) {
      const map = JSON.parse(readFileSync(path, 'utf8'))
      for (const source of map.sources ?? []) {
        const target = resolve(dirname(path), map.sourceRoot ?? '', source)
        if (!existsSync(target)) broken.push(`${relative(packageDir, path)} -> ${source}`)
      }
    }
  }
  return broken
}

// A clean dist/: a file whose source was renamed or deleted must not be shipped. The build
// info lives in dist/, so removing it makes `tsc -b` rebuild this package (and only the
// references that are out of date).
const tsc = findTsc()
rmSync(join(packageDir, 'dist'), { recursive: true, force: true })
const build = spawnSync(process.execPath, [tsc, '-b'], { cwd: packageDir, stdio: 'inherit' })
if (build.error !== undefined) fail(`cannot build: ${build.error.message}`)
if (build.status !== 0) fail(`the build failed (tsc -b exited with ${build.status ?? build.signal}); nothing was packed.`)

const missing = entryPoints().filter((path) => !existsSync(join(packageDir, path)))
if (missing.length > 0) fail(`the build did not produce ${missing.join(', ')}, which package.json points to.`)

const broken = brokenSourceMaps(join(packageDir, 'dist'))
if (broken.length > 0) fail(`source maps point to files that are not there:\n  ${broken.join('\n  ')}`)
