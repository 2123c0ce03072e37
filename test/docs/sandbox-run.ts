import { spawn } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { coreInternal } from '../helpers/core-internal'
import { FIXTURES } from '../helpers/child-process'
import { waitFor } from '../helpers/wait'

type ListenerModule = typeof import('../../packages/core/src/cli/listener')

/** Logstash's ports as the docs write them: what `new LogstashHandler()` sends to for each transport. */
export const DOC_PORTS = Object.freeze({ tcp: 5959, udp: 5959, beats: 5044, http: 8080 })

/** What the sandbox preload reports when the snippet exits (test/fixtures/snippet-sandbox.ts). */
export interface SandboxReport {
  code: number
  routes: Array<{ route: string, status: number | string }>
  servers: number
  handlers: number
  sent: number
  dropped: number
  expired: number
  queued: number
  inFlight: number
  lastError?: string
}

export interface SandboxResult {
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  report: SandboxReport | undefined
  /** Events the receivers got, and things they got that were not events. */
  received: number
  invalid: string[]
}

export interface SandboxOptions {
  /** Receivers speak TLS with this key and certificate. */
  tls?: { key: string, cert: string } | undefined
  /** Files the snippet finds in its working directory (`ca.pem`). */
  files?: Record<string, string>
  routes?: readonly string[]
  timeoutMs?: number
}

/** A loopback address of one snippet's own: 127.x.y.z, never 127.0.0.1. */
function sandboxAddress (): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`
}

/**
 * Runs one program written from a snippet in a sandbox: a working directory of its own, a
 * loopback address of its own where Logstash's four inputs listen on the documented ports,
 * the preload that resolves every host name there and drives its servers. Resolves once the
 * process exited and the receivers got what it reported as sent (or a bounded wait passed).
 */
export async function runInSandbox (program: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const { Listener } = coreInternal<ListenerModule>('cli/listener.js')
  const cwd = mkdtempSync(join(tmpdir(), 'logstash-async-snippet-'))
  const reportFile = join(cwd, '.snippet-report.json')
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(cwd, name), content)
  let received = 0
  const invalid: string[] = []
  let address = sandboxAddress()
  let listener
  for (let attempt = 0; ; attempt++) {
    try {
      listener = await Listener.start({
        host: address,
        ports: DOC_PORTS,
        tls: options.tls,
        onEvent: () => { received++ },
        onInvalid: (input, reason) => { invalid.push(`${input}: ${reason}`) }
      })
      break
    } catch (err) {
      // A port of that address is taken (another run chose the same one): choose another.
      if (attempt >= 5) throw err
      address = sandboxAddress()
    }
  }
  try {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LOGSTASH_') && !name.startsWith('SNIPPET_')))
    Object.assign(env, {
      NO_COLOR: '1',
      // The one secret the docs read from the environment: the http input's password.
      LOGSTASH_PASSWORD: 'snippet-password',
      SNIPPET_ADDRESS: address,
      SNIPPET_REPORT: reportFile,
      SNIPPET_ROUTES: JSON.stringify(options.routes ?? [])
    })
    const child = spawn(process.execPath, ['--require', join(FIXTURES, 'snippet-sandbox.js'), program], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, options.timeoutMs ?? 30_000)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])))
    clearTimeout(timer)
    const report = readReport(reportFile)
    // The process delivered before it exited; the receivers may still be reading the last bytes.
    if (report !== undefined) await waitFor(() => received >= report.sent, { timeoutMs: 5000 }).catch(() => {})
    return { code, signal, timedOut, stdout, stderr, report, received, invalid }
  } finally {
    await listener.close()
    rmSync(cwd, { recursive: true, force: true })
  }
}

/** The main thread's report, with the handlers of the snippet's worker threads added in. */
function readReport (file: string): SandboxReport | undefined {
  if (!existsSync(file)) return undefined
  const report = JSON.parse(readFileSync(file, 'utf8')) as SandboxReport
  const prefix = `${basename(file)}.thread-`
  for (const name of readdirSync(dirname(file)).filter((n) => n.startsWith(prefix))) {
    const thread = JSON.parse(readFileSync(join(dirname(file), name), 'utf8')) as SandboxReport
    report.handlers += thread.handlers
    report.sent += thread.sent
    report.dropped += thread.dropped
    report.expired += thread.expired
    report.queued += thread.queued
    report.inFlight += thread.inFlight
    report.lastError ??= thread.lastError
  }
  return report
}
