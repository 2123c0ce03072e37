import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { coreInternal } from '../helpers/core-internal'
import { publishablePackages, ROOT } from '../helpers/repository'

type ArgsModule = typeof import('../../packages/core/src/cli/args')

/**
 * Shell blocks are not run: they install from the registry, start servers on fixed ports
 * that stay up until Ctrl-C, or run this very build and test. Each command is checked
 * against the repository instead, so a renamed script, workspace, file or CLI option
 * breaks the test: `npm run`/`start`/`test` scripts (with `-w`), `npm install` of our
 * packages, `npx logstash-async` options, `cd` and the files `bash`/`node` run. Returns one
 * message per problem.
 */
export function checkShellBlock (code: string, markdownFile: string): string[] {
  const problems: string[] = []
  let cwd = ROOT
  for (const command of commands(code)) {
    const words = command.filter((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word))
    const [program, ...args] = words
    if (program === undefined) continue
    const problem = program === 'npm'
      ? checkNpm(args, cwd)
      : program === 'npx' && args[0] === 'logstash-async'
        ? checkCli(args.slice(1))
        : program === 'cd'
          ? checkCd(args[0], cwd, markdownFile, (next) => { cwd = next })
          : (program === 'bash' || program === 'node') && args[0] !== undefined && !args[0].startsWith('-')
              ? existsSync(join(cwd, args[0])) ? undefined : `${program} ${args[0]}: no such file (from ${relativeToRoot(cwd)})`
              : undefined
    if (problem !== undefined) problems.push(`\`${words.join(' ')}\`: ${problem}`)
  }
  return problems
}

/** The block's commands as word lists: comments dropped, `\` continuations joined, split at `&&`, `;` and `|`. */
function commands (code: string): string[][] {
  const joined = code.replace(/\\\n/g, ' ')
  return joined.split('\n').flatMap((line) => {
    const withoutComment = line.replace(/(^|\s)#.*$/, '')
    return withoutComment.split(/&&|;|\|\|?/).map((part) => words(part.trim())).filter((w) => w.length > 0)
  })
}

function words (text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

function relativeToRoot (dir: string): string {
  return dir === ROOT ? 'the repository root' : dir.slice(ROOT.length + 1)
}

function manifestScripts (dir: string): Record<string, string> | undefined {
  const file = join(dir, 'package.json')
  if (!existsSync(file)) return undefined
  return (JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {}
}

function checkNpm (args: string[], cwd: string): string | undefined {
  const [subcommand, ...rest] = args
  const workspaceIndex = rest.findIndex((arg) => arg === '-w' || arg === '--workspace')
  const workspace = workspaceIndex >= 0 ? rest[workspaceIndex + 1] : undefined
  const dir = workspace === undefined ? cwd : join(ROOT, workspace)
  if (workspace !== undefined && !existsSync(join(dir, 'package.json'))) return `no workspace ${workspace}`
  const script = subcommand === 'run' || subcommand === 'run-script'
    ? rest.find((arg, i) => !arg.startsWith('-') && rest[i - 1] !== '-w' && rest[i - 1] !== '--workspace')
    : subcommand === 'start' || subcommand === 'test' ? subcommand : undefined
  if (script !== undefined) {
    const scripts = manifestScripts(dir)
    if (scripts === undefined) return `no package.json in ${relativeToRoot(dir)}`
    if (scripts[script] === undefined) return `no script "${script}" in ${relativeToRoot(dir)}/package.json`
    // `npm run listen -- <options>` passes them to `logstash-async listen`.
    const passed = rest.indexOf('--')
    if (script === 'listen' && passed >= 0) return checkCli(['listen', ...rest.slice(passed + 1)])
  }
  if (subcommand === 'install' || subcommand === 'i') {
    const ours = new Set(publishablePackages().map((pkg) => pkg.manifest.name))
    const unknown = rest.filter((arg) => arg.startsWith('@logstash-async/') && !ours.has(arg.replace(/@[^@/]*$/, '')))
    if (unknown.length > 0) return `no package ${unknown.join(', ')} in packages/`
  }
  return undefined
}

function checkCli (args: string[]): string | undefined {
  const [command, ...rest] = args
  if (command === '--help' || command === undefined) return undefined
  if (command !== 'listen') return `logstash-async has no command ${command}`
  const { parseListenArguments } = coreInternal<ArgsModule>('cli/args.js')
  try {
    parseListenArguments(rest)
    return undefined
  } catch (err) {
    // A certificate file the reader brings (`--tls-cert server.crt`): the option itself is right.
    if (/cannot read .*ENOENT/.test((err as Error).message)) return undefined
    return (err as Error).message
  }
}

function checkCd (target: string | undefined, cwd: string, markdownFile: string, move: (dir: string) => void): string | undefined {
  if (target === undefined || target === '~' || target === '-') return undefined
  for (const base of [cwd, ROOT, join(ROOT, dirname(markdownFile))]) {
    const dir = join(base, target)
    if (existsSync(dir)) {
      move(dir)
      return undefined
    }
  }
  return 'no such directory'
}
