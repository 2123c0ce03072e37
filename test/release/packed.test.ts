import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, posix, relative, resolve } from 'node:path'
import { createPackedApp, type PackedApp } from '../helpers/packed-app'
import { importSpecifiers, ROOT } from '../helpers/repository'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { markdownLinks } from '../helpers/markdown'
import { waitFor } from '../helpers/wait'

const CONSUMERS = join(ROOT, 'test', 'consumers')

interface Finished { code: number | null, stdout: string, stderr: string }

function run (command: string, args: readonly string[], options: { cwd: string, env?: NodeJS.ProcessEnv, timeoutMs?: number }): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null
      resolve({ code, stdout, stderr })
    })
  })
}

/** TypeScript 5 (test/ts5), the line most applications compile with. */
function typescript5 (): string {
  const manifest = require.resolve('typescript/package.json', { paths: [join(ROOT, 'test', 'ts5')] })
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }
  assert.match(version, /^5\./, 'test/ts5 must hold TypeScript 5')
  return join(dirname(manifest), 'bin', 'tsc')
}

/**
 * The module settings applications use. The whole consumer, with our declaration files
 * checked too (`skipLibCheck: false`), under the two that differ: node10 (no `exports`:
 * `typesVersions`) and nodenext (`exports`). node16 and bundler resolve through `exports`
 * like nodenext; for them the generated import of every subpath proves resolution, and
 * compiles in a fraction of the time. (node16 could not take the consumer anyway: Nest 12 is
 * ES modules only, and that mode refuses any CommonJS file importing it.)
 */
const MODES = {
  node10: { module: 'commonjs', moduleResolution: 'node10', files: ['consumer.ts', 'subpaths.ts'], skipLibCheck: false, emit: true },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext', files: ['consumer.ts', 'subpaths.ts'], skipLibCheck: false, emit: false },
  bundler: { module: 'esnext', moduleResolution: 'bundler', files: ['subpaths.ts'], skipLibCheck: true, emit: false },
  node16: { module: 'node16', moduleResolution: 'node16', files: ['subpaths.ts'], skipLibCheck: true, emit: false }
} as const
type Mode = keyof typeof MODES

function writeTsconfig (dir: string, mode: Mode): string {
  const settings = MODES[mode]
  const file = join(dir, `tsconfig.${mode}.json`)
  writeFileSync(file, JSON.stringify({
    compilerOptions: {
      module: settings.module,
      moduleResolution: settings.moduleResolution,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: ['node'],
      strict: true,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: settings.skipLibCheck,
      ...(settings.emit ? { outDir: `out-${mode}` } : { noEmit: true })
    },
    files: settings.files
  }, null, 2))
  return file
}

/** Imports every package and every exports subpath: a new package or subpath is covered as it comes. */
function writeSubpaths (app: PackedApp): void {
  const specifiers = app.packages.flatMap((pkg) => importSpecifiers(pkg.manifest))
  const lines = specifiers.map((specifier, i) => `import * as m${i} from '${specifier}'`)
  lines.push(`export const modules: readonly object[] = [${specifiers.map((_s, i) => `m${i}`).join(', ')}]`)
  writeFileSync(join(app.dir, 'subpaths.ts'), lines.join('\n') + '\n')
}

function listFiles (dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? listFiles(path) : [path]
  })
}

describe('packed packages, installed into an application outside the repository', function () {
  this.timeout(180_000)
  let app: PackedApp
  let receiver: TcpReceiver
  let compiles: Map<Mode, Promise<Finished>>

  before(async function () {
    app = await createPackedApp()
    receiver = await TcpReceiver.start()
    for (const file of ['consumer.ts', 'consumer.cjs', 'consumer.mjs', 'drive.cjs']) copyFileSync(join(CONSUMERS, file), join(app.dir, file))
    writeSubpaths(app)
    const tsc = typescript5()
    // All four compilations start now and run side by side; each test awaits its own.
    compiles = new Map((Object.keys(MODES) as Mode[]).map((mode) => [mode, run(process.execPath, [tsc, '-p', writeTsconfig(app.dir, mode)], { cwd: app.dir, timeoutMs: 120_000 })]))
  })

  after(async () => {
    if (compiles !== undefined) await Promise.all(compiles.values())
    await receiver?.close()
    app?.remove()
  })

  describe('tarballs', () => {
    it('packs every package under packages/', () => {
      assert.deepEqual(app.tarballs.map((t) => t.name).sort(), app.packages.map((p) => p.manifest.name).sort())
    })

    it('ship LICENSE, README, CHANGELOG, the built entry points and the TypeScript sources, and no tests or build info', () => {
      for (const tarball of app.tarballs) {
        const pkg = app.packages.find((p) => p.manifest.name === tarball.name)
        assert.ok(pkg !== undefined)
        const entries = [pkg.manifest.main, pkg.manifest.types].filter((path): path is string => path !== undefined).map((path) => posix.normalize(path))
        for (const required of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'src/index.ts', ...entries]) {
          assert.ok(tarball.files.includes(required), `${tarball.name}: ${required} is not in the tarball`)
        }
        const unwanted = tarball.files.filter((file) => /(^|\/)test\/|\.test\.|tsbuildinfo/.test(file))
        assert.deepEqual(unwanted, [], `${tarball.name} ships files users do not need`)
      }
    })

    it('ship source maps whose sources are in the tarball, so debuggers and stack traces show the TypeScript', () => {
      let maps = 0
      for (const tarball of app.tarballs) {
        const installed = join(app.dir, 'node_modules', tarball.name)
        for (const file of listFiles(join(installed, 'dist')).filter((path) => path.endsWith('.map'))) {
          maps++
          const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[], sourceRoot?: string }
          for (const source of map.sources) {
            const target = resolve(dirname(file), map.sourceRoot ?? '', source)
            assert.ok(existsSync(target), `${relative(app.dir, file)} points to ${source}, which is not installed`)
          }
        }
      }
      assert.ok(maps > 0, 'no source maps found')
    })

    it('have READMEs whose links resolve on the registry page: absolute, in-page, or to a shipped file', () => {
      for (const tarball of app.tarballs) {
        const installed = join(app.dir, 'node_modules', tarball.name)
        for (const link of markdownLinks(readFileSync(join(installed, 'README.md'), 'utf8'))) {
          if (/^[a-z][a-z+.-]*:/i.test(link.target) || link.target.startsWith('#')) continue
          const path = link.target.split('#')[0] ?? ''
          assert.ok(tarball.files.includes(posix.normalize(path)), `${tarball.name} README line ${link.line}: ${link.target} is not in the tarball; link to the repository instead`)
        }
      }
    })

    it('install the logstash-async CLI as a bin', async () => {
      const result = await run(process.execPath, [join(app.dir, 'node_modules', '.bin', 'logstash-async'), '--help'], { cwd: app.dir })
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout + result.stderr, /listen/)
    })
  })

  describe('consumers against a local receiver', () => {
    async function runConsumer (consumer: string, args: readonly string[]): Promise<void> {
      const result = await run(process.execPath, args, { cwd: app.dir, env: { LOGSTASH_HOST: '127.0.0.1', LOGSTASH_PORT: String(receiver.port), CONSUMER: consumer } })
      assert.equal(result.code, 0, `${args.join(' ')} exited with ${String(result.code)}:\n${result.stderr}`)
      assert.equal(result.stderr, '', `${consumer} printed on stderr`)
      const events = (): Array<{ message?: string, extra?: { consumer?: string, logger_name?: string } }> =>
        (receiver.events as Array<{ message?: string, extra?: { consumer?: string, logger_name?: string } }>).filter((event) => event.extra?.consumer === consumer)
      const expected = ['core:core event', 'express:express route', 'express:GET /orders/42 200', 'fastify:fastify route', 'fastify:GET /orders/42 200', 'nest:GET /orders/42 200']
      const seen = (): string[] => events().map((event) => `${event.extra?.logger_name ?? ''}:${event.message ?? ''}`)
      // The consumer closed its handler before exiting; the receiver may still be reading.
      await waitFor(() => expected.every((want) => seen().some((line) => line.startsWith(want))), {
        timeoutMs: 10_000,
        message: () => `${consumer}: events ${JSON.stringify(expected)} (got ${JSON.stringify(seen())})`
      })
    }

    it('runs a CommonJS application (require)', async () => {
      await runConsumer('cjs', ['consumer.cjs'])
    })

    it('runs an ES module application (import)', async () => {
      await runConsumer('esm', ['consumer.mjs'])
    })

    it('runs a TypeScript application compiled with module commonjs and node10 resolution', async () => {
      const compiled = await compiles.get('node10')
      assert.equal(compiled?.code, 0, `${compiled?.stdout ?? ''}${compiled?.stderr ?? ''}`)
      await runConsumer('ts', [join('out-node10', 'consumer.js')])
    })
  })

  describe('TypeScript 5 finds every type, strict, under each module resolution', () => {
    for (const mode of Object.keys(MODES) as Mode[]) {
      it(`compiles ${MODES[mode].files.join(' and ')} with module ${MODES[mode].module}, moduleResolution ${MODES[mode].moduleResolution}`, async () => {
        const result = await compiles.get(mode)
        assert.ok(result !== undefined)
        assert.equal(result.code, 0, `tsc -p tsconfig.${mode}.json:\n${result.stdout}${result.stderr}`)
      })
    }
  })
})
