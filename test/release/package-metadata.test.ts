import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importSpecifiers, publishablePackages, REPOSITORY_URL, ROOT } from '../helpers/repository'

/** What a registry page and a user's tools read from every published package.json. */
describe('package metadata', () => {
  const packages = publishablePackages()
  const rootEngines = '>=22.13'

  it('finds the packages under packages/', () => {
    assert.ok(packages.some((pkg) => pkg.manifest.name === '@logstash-async/core'))
  })

  for (const { path, dir, manifest } of packages) {
    describe(manifest.name, () => {
      it('links to the repository, its directory, its README and the issue tracker', () => {
        assert.deepEqual(manifest.repository, { type: 'git', url: `git+${REPOSITORY_URL}.git`, directory: path })
        assert.equal(manifest.homepage, `${REPOSITORY_URL}/tree/main/${path}#readme`)
        assert.deepEqual(manifest.bugs, { url: `${REPOSITORY_URL}/issues` })
      })

      it('is MIT with the LICENSE text beside it, public, and has a README and a CHANGELOG', () => {
        assert.equal(manifest.license, 'MIT')
        assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), readFileSync(join(ROOT, 'LICENSE'), 'utf8'))
        assert.equal(manifest.publishConfig?.access, 'public')
        assert.ok(existsSync(join(dir, 'README.md')))
        assert.ok(existsSync(join(dir, 'CHANGELOG.md')))
      })

      it('builds before packing, ships dist/ with src/ and finds its types under any resolution', () => {
        assert.equal(manifest.scripts?.prepack, 'node ../../scripts/prepack.js')
        for (const entry of ['dist', 'src', 'CHANGELOG.md']) assert.ok(manifest.files?.includes(entry), `files lacks ${entry}`)
        assert.deepEqual(manifest.typesVersions, { '*': { '*': ['dist/*', '*'] } })
        assert.equal((manifest as { engines?: { node?: string } }).engines?.node, rootEngines)
      })

      // Internal helpers have /internal; what a user can import is API, and says what it is.
      it('names every runtime export of its entry points in its README, except /internal', () => {
        const readme = readFileSync(join(dir, 'README.md'), 'utf8')
        for (const specifier of importSpecifiers(manifest).filter((s) => !s.endsWith('/internal'))) {
          const exported = Object.keys(require(specifier) as object).filter((name) => name !== 'default' && name !== '__esModule')
          const unnamed = exported.filter((name) => !new RegExp(`\\b${name}\\b`).test(readme))
          assert.deepEqual(unnamed, [], `${specifier} exports these without a word in ${path}/README.md`)
        }
      })
    })
  }
})
