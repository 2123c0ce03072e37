import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../helpers/repository'

const PREPACK = join(ROOT, 'scripts', 'prepack.js')

interface Outcome { code: number | null, stderr: string }

function prepack (dir: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PREPACK], { cwd: dir, timeout: 60_000 }, (err, _stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stderr })
    })
  })
}

/** A package of one source file, laid out like ours (src/ → dist/), in `parent`. */
function fixturePackage (parent: string, source: string, main = './dist/index.js'): string {
  const dir = mkdtempSync(join(parent, 'prepack-'))
  mkdirSync(join(dir, 'src'))
  writeFileSync(join(dir, 'src', 'index.ts'), source)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'prepack-fixture', version: '1.0.0', main, types: './dist/index.d.ts' }))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { rootDir: 'src', outDir: 'dist', strict: true, module: 'commonjs', target: 'es2022', types: [], declaration: true, sourceMap: true },
    include: ['src']
  }))
  return dir
}

describe('prepack (scripts/prepack.js)', function () {
  this.timeout(60_000)
  // Inside the repository, so that the fixture finds its TypeScript as a package does.
  const inside = join(ROOT, 'build', 'prepack-fixtures')
  const dirs: string[] = []
  const make = (parent: string, source: string, main?: string): string => {
    mkdirSync(parent, { recursive: true })
    const dir = fixturePackage(parent, source, main)
    dirs.push(dir)
    return dir
  }

  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('builds from a clean dist/: an output whose source is gone is not packed', async () => {
    const dir = make(inside, 'export const answer: number = 42\n')
    mkdirSync(join(dir, 'dist'))
    writeFileSync(join(dir, 'dist', 'renamed-away.js'), '')
    const outcome = await prepack(dir)
    assert.equal(outcome.code, 0, outcome.stderr)
    assert.ok(existsSync(join(dir, 'dist', 'index.js')))
    assert.ok(existsSync(join(dir, 'dist', 'index.d.ts')))
    assert.ok(!existsSync(join(dir, 'dist', 'renamed-away.js')))
  })

  it('fails, saying so, when the build fails', async () => {
    const outcome = await prepack(make(inside, 'export const answer: number = "forty-two"\n'))
    assert.equal(outcome.code, 1)
    assert.match(outcome.stderr, /prepack prepack-fixture: the build failed/)
  })

  it('fails, naming the file, when package.json points to something the build did not make', async () => {
    const outcome = await prepack(make(inside, 'export const answer = 42\n', './dist/main.js'))
    assert.equal(outcome.code, 1)
    assert.match(outcome.stderr, /did not produce \.\/dist\/main\.js/)
  })

  it('fails, saying what to do, where TypeScript is not installed (a copy outside the repository)', async () => {
    const outcome = await prepack(make(tmpdir(), 'export const answer = 42\n'))
    assert.equal(outcome.code, 1)
    assert.match(outcome.stderr, /TypeScript is not installed\. Run `npm ci`/)
  })
})
