import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, posix } from 'node:path'
import { promisify } from 'node:util'
import { ILLUSTRATIVE, markdownLinks } from '../helpers/markdown'
import { REPOSITORY_URL, ROOT } from '../helpers/repository'
import { runInSandbox, type SandboxResult } from './sandbox-run'
import { checkShellBlock } from './shell-commands'
import { collectSnippets, isEsModule, slug, snippetRoutes, typescriptEntries, typescriptFileName, usesTls, type Snippet } from './snippets'

/**
 * Every code block of every Markdown file runs as written, or says why not.
 *
 * - JavaScript runs as a program of its own; TypeScript blocks of a page are compiled
 *   together, strict (a block whose first line is `// name.ts` is that file, so others can
 *   import it), and each one no other block imports runs. Each runs in a sandbox (see
 *   sandbox-run.ts and fixtures/snippet-sandbox.ts): its host names resolve to a loopback
 *   address of its own where Logstash's inputs listen on the documented ports, its servers
 *   are requested and stopped. It must exit 0 with nothing on stderr, and every event it
 *   logged must have arrived, none dropped.
 * - JSON blocks must parse; shell blocks name scripts, workspaces, files and CLI options
 *   that exist (shell-commands.ts).
 * - Blocks in other languages (text, Logstash configuration, output samples) are not code.
 *   A code block that cannot run (a fragment, three frameworks in three lines) carries
 *   `<!-- illustrative -->` on the line right before its fence.
 */

const OUT = join(ROOT, 'build', 'snippets')
const CONCURRENCY = 3
const run = promisify(execFile)

/** Node 22 warns when a file outside node_modules require()s an ES module (Nest 12, from packages/nest/dist). */
const TOLERATED_STDERR = /^\(node:\d+\) ExperimentalWarning: CommonJS module .* is loading ES Module .*\n(\(Use `node --trace-warnings .*\n)?/gm

function lineOf (snippet: Snippet): string {
  return `${snippet.file}:${snippet.line}`
}

/** A certificate for the host names the docs use, its own CA: the docs' `ca.pem`. */
function docsCertificate (): { key: string, cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'logstash-async-docs-tls-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=logstash.internal',
      '-addext', 'subjectAltName=DNS:logstash.internal,DNS:*.internal,DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE'],
    { cwd: dir, stdio: 'ignore' })
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Compiles a page's TypeScript blocks together; resolves with the errors, mapped to the page's lines. */
async function compileTypescript (page: string, blocks: readonly Snippet[]): Promise<{ dir: string, errors: string }> {
  const dir = join(OUT, slug(page))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const names = new Map<string, Snippet>()
  for (const block of blocks) {
    names.set(typescriptFileName(block), block)
    writeFileSync(join(dir, typescriptFileName(block)), block.code)
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'es2023', module: 'node20', moduleResolution: 'node16', types: ['node'], strict: true, esModuleInterop: true,
      experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true, rootDir: '.', outDir: 'out'
    },
    files: [...names.keys()]
  }))
  const tsc = require.resolve('typescript/package.json', { paths: [ROOT] })
  const bin = join(dirname(tsc), (JSON.parse(readFileSync(tsc, 'utf8')) as { bin: Record<string, string> }).bin.tsc ?? 'bin/tsc')
  try {
    await run(process.execPath, [bin, '-p', dir], { cwd: dir })
    return { dir, errors: '' }
  } catch (err) {
    const output = String((err as { stdout?: string }).stdout ?? (err as Error).message)
    // `line-45.ts(3,7): error TS...` → `packages/nest/README.md:48: error TS...`
    return { dir, errors: output.replace(/^([\w.-]+\.ts)\((\d+),\d+\)/gm, (whole, name: string, line: string) => {
      const block = names.get(name)
      return block === undefined ? whole : `${page}:${block.line + Number(line)}`
    }) }
  }
}

/** Starts `task` for each item, at most `limit` at a time; each promise settles on its own. */
function limited<T, R> (items: readonly T[], limit: number, task: (item: T) => Promise<R>): Map<T, Promise<R>> {
  let active = 0
  const waiting: Array<() => void> = []
  const slot = async (): Promise<void> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
  }
  const release = (): void => { active--; waiting.shift()?.() }
  return new Map(items.map((item) => [item, (async () => {
    await slot()
    try { return await task(item) } finally { release() }
  })()]))
}

function assertCleanRun (snippet: Snippet, result: SandboxResult): void {
  const where = lineOf(snippet)
  const stderr = result.stderr.replace(TOLERATED_STDERR, '')
  const output = `\n--- stderr\n${result.stderr.slice(-3000)}\n--- stdout\n${result.stdout.slice(-1500)}`
  assert.ok(!result.timedOut, `${where} did not exit within its time: it keeps the process alive${output}`)
  assert.equal(result.signal, null, `${where} was ended by ${String(result.signal)} instead of exiting${output}`)
  assert.equal(result.code, 0, `${where} exited with ${String(result.code)}${output}`)
  assert.equal(stderr, '', `${where} printed on stderr${output}`)
  const report = result.report
  assert.ok(report !== undefined, `${where}: no report from the sandbox${output}`)
  for (const { route, status } of report.routes) {
    assert.ok(typeof status === 'number' && status < 500, `${where}: ${route} answered ${status}${output}`)
  }
  assert.deepEqual({ dropped: report.dropped, expired: report.expired, queued: report.queued, inFlight: report.inFlight }, { dropped: 0, expired: 0, queued: 0, inFlight: 0 },
    `${where}: not every event was delivered (last error: ${report.lastError ?? 'none'})${output}`)
  assert.equal(result.received, report.sent, `${where}: the handlers sent ${report.sent} events, the receivers got ${result.received}`)
  assert.deepEqual(result.invalid, [], `${where}: the receivers got something that is not an event`)
}

describe('documentation snippets', function () {
  this.timeout(180_000)
  const snippets = collectSnippets()
  const pages = [...new Set(snippets.map((s) => s.file))]
  const runs = new Map<Snippet, Promise<SandboxResult | { compileErrors: string }>>()
  const compiled = new Map<string, Promise<{ dir: string, errors: string }>>()

  before(function () {
    const typescriptPages = pages.filter((page) => snippets.some((s) => s.file === page && s.kind === 'typescript'))
    for (const page of typescriptPages) {
      const compiling = compileTypescript(page, snippets.filter((s) => s.file === page && s.kind === 'typescript'))
      compiling.catch(() => {}) // awaited by the page's tests
      compiled.set(page, compiling)
    }
    const tls = snippets.some((s) => s.kind === 'javascript' && usesTls(s.code)) ? docsCertificate() : undefined
    const programs = snippets.filter((s) => s.kind === 'javascript' || (s.kind === 'typescript' && typescriptEntries(snippets.filter((t) => t.file === s.file && t.kind === 'typescript')).includes(s)))
    const started = limited(programs, CONCURRENCY, async (snippet) => {
      let program: string
      if (snippet.kind === 'typescript') {
        const { dir, errors } = await (compiled.get(snippet.file) as Promise<{ dir: string, errors: string }>)
        if (errors !== '') return { compileErrors: errors }
        program = join(dir, 'out', typescriptFileName(snippet).replace(/\.ts$/, '.js'))
      } else {
        const dir = join(OUT, slug(snippet.file))
        mkdirSync(dir, { recursive: true })
        program = join(dir, `line-${snippet.line}.${isEsModule(snippet.code) ? 'mjs' : 'cjs'}`)
        writeFileSync(program, snippet.code)
      }
      const secure = usesTls(snippet.code) ? tls : undefined
      return await runInSandbox(program, { tls: secure, files: secure === undefined ? {} : { 'ca.pem': secure.cert }, routes: snippetRoutes(snippet.code) })
    })
    for (const [snippet, promise] of started) {
      promise.catch(() => {}) // awaited (and reported) by the snippet's own test
      runs.set(snippet, promise)
    }
  })

  after(async () => {
    await Promise.allSettled([...runs.values()])
  })

  it('finds the Markdown files of every package, example and the root', () => {
    for (const page of ['README.md', 'packages/core/README.md', 'examples/express-basic/README.md']) assert.ok(pages.includes(page) || existsSync(join(ROOT, page)), page)
    assert.ok(snippets.some((s) => s.kind === 'javascript'))
  })

  for (const page of pages) {
    describe(page, () => {
      for (const snippet of snippets.filter((s) => s.file === page)) {
        const where = `line ${snippet.line} (${snippet.lang})`
        if (snippet.kind === 'javascript' || snippet.kind === 'typescript') {
          it(`${where} runs, exits 0, and every event it logs arrives`, async function () {
            const typescriptCompile = compiled.get(snippet.file)
            const result = runs.get(snippet)
            if (result === undefined) {
              // A TypeScript block another block imports: it is proven by compiling and by the block that runs it.
              const { errors } = await (typescriptCompile as Promise<{ errors: string }>)
              assert.equal(errors, '', errors)
              return
            }
            const outcome = await result
            if ('compileErrors' in outcome) assert.fail(`the TypeScript blocks of ${page} do not compile:\n${outcome.compileErrors}`)
            assertCleanRun(snippet, outcome)
          })
        } else if (snippet.kind === 'json') {
          it(`${where} is valid JSON`, () => {
            assert.doesNotThrow(() => JSON.parse(snippet.code), `${lineOf(snippet)} is not JSON; mark it ${ILLUSTRATIVE} if it is not meant to be`)
          })
        } else if (snippet.kind === 'shell') {
          it(`${where} names scripts, workspaces, files and CLI options that exist`, () => {
            assert.deepEqual(checkShellBlock(snippet.code, page), [], lineOf(snippet))
          })
        }
      }

      it('links to files of the repository that exist', () => {
        const broken: string[] = []
        for (const link of markdownLinks(readFileSync(join(ROOT, page), 'utf8'))) {
          const target = link.target
          const path = target.startsWith(`${REPOSITORY_URL}/blob/main/`) || target.startsWith(`${REPOSITORY_URL}/tree/main/`)
            ? target.slice(REPOSITORY_URL.length).replace(/^\/(blob|tree)\/main\//, '')
            : /^[a-z][a-z+.-]*:|^#/i.test(target) ? undefined : posix.join(posix.dirname(page), target)
          const file = path?.split('#')[0]
          if (file !== undefined && file !== '' && !existsSync(join(ROOT, decodeURIComponent(file)))) broken.push(`line ${link.line}: ${target}`)
        }
        assert.deepEqual(broken, [], `${page} links to files that do not exist`)
      })
    })
  }
})
