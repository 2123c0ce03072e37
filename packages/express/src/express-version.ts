import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** The framework fields of the request context (`express_version`). */
export interface Framework { name: string, version: string }

// Keyed by Express's request prototype: one lookup per copy of Express, not per request.
const byPrototype = new WeakMap<object, Framework | null>()
let fallback: Framework | null | undefined

/**
 * `{ name: 'express', version }` of the Express serving `req`, for `express_version`. Express
 * gives `req` its own request object as prototype (`app.request`, whose prototype is the
 * module `express/lib/request.js`), so the module is found in the require cache and its
 * package read: exact even when an application bundles two Express majors. Falls back to
 * the `express` this package resolves.
 */
export function expressFramework (req: object): Framework | undefined {
  let proto: object | null = null
  try {
    proto = Object.getPrototypeOf(Object.getPrototypeOf(req) as object) as object | null
  } catch { /* a hostile proxy */ }
  if (proto === null) return resolvedFallback()
  let framework = byPrototype.get(proto)
  if (framework === undefined) {
    framework = lookup(proto) ?? resolvedFallback() ?? null
    byPrototype.set(proto, framework)
  }
  return framework ?? undefined
}

function lookup (proto: object): Framework | undefined {
  try {
    for (const module of Object.values(require.cache)) {
      if (module?.exports === proto) return readExpressPackage(dirname(module.filename))
    }
  } catch { /* no require cache (a bundler): use the fallback */ }
  return undefined
}

// lib/request.js sits one folder below the package root; look a few levels up to be safe.
function readExpressPackage (from: string): Framework | undefined {
  let dir = from
  for (let i = 0; i < 3; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown, version?: unknown }
      if (pkg.name === 'express' && typeof pkg.version === 'string') return { name: 'express', version: pkg.version }
    } catch { /* no package.json here */ }
    dir = dirname(dir)
  }
  return undefined
}

function resolvedFallback (): Framework | undefined {
  if (fallback === undefined) {
    try {
      fallback = readExpressPackage(dirname(require.resolve('express/package.json'))) ?? null
    } catch {
      fallback = null
    }
  }
  return fallback ?? undefined
}
