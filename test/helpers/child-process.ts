import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { join } from 'node:path'
import { waitFor } from './wait'

/** Compiled fixture scripts (test/fixtures/*.ts) live here after `tsc -b`. */
export const FIXTURES = join(__dirname, '..', 'fixtures')

export interface FixtureOptions {
  /** Run through `bash -c '<prefix> && exec node ...'`, e.g. `ulimit -f 64`. */
  shellPrefix?: string
  /**
   * Run with this lower CPU priority (`nice`): the receivers in the test's own process then
   * keep up with it on a busy machine, as Logstash on a host of its own would.
   */
  niceness?: number
  /** Run as this user and group (only when the test runs as root). */
  uid?: number
  gid?: number
}

/**
 * A fixture script running in its own Node.js process (the same binary as the tests),
 * with its stdout collected line by line so a test can wait for what it prints.
 */
export class FixtureProcess {
  readonly child: ChildProcess
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>

  constructor (script: string, args: readonly string[], options: FixtureOptions = {}) {
    const file = join(FIXTURES, script)
    const spawnOptions: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'] }
    if (options.uid !== undefined) spawnOptions.uid = options.uid
    if (options.gid !== undefined) spawnOptions.gid = options.gid
    const prefix = options.niceness === undefined ? options.shellPrefix : `renice -n ${options.niceness} -p $$ >/dev/null${options.shellPrefix === undefined ? '' : ` && ${options.shellPrefix}`}`
    this.child = prefix === undefined
      ? spawn(process.execPath, [file, ...args], spawnOptions)
      : spawn('bash', ['-c', `${prefix} && exec "$0" "$@"`, process.execPath, file, ...args], spawnOptions)
    let partial = ''
    this.child.stdout?.setEncoding('utf8')
    this.child.stdout?.on('data', (chunk: string) => {
      partial += chunk
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      this.lines.push(...parts)
    })
    this.child.stderr?.setEncoding('utf8')
    this.child.stderr?.on('data', (chunk: string) => { this.stderr += chunk })
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })))
  }

  /** Waits for a line matching `pattern` and returns it. */
  async waitForLine (pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    await waitFor(() => this.lines.some((line) => pattern.test(line)), {
      timeoutMs,
      message: () => `a line matching ${String(pattern)} (got ${JSON.stringify(this.lines.slice(-5))}, stderr ${JSON.stringify(this.stderr.slice(-500))})`
    })
    return this.lines.find((line) => pattern.test(line)) as string
  }

  /** Waits for the exit; fails if it takes longer than `timeoutMs`. */
  async exit (timeoutMs = 20_000): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms (stdout ${JSON.stringify(this.lines.slice(-5))}, stderr ${JSON.stringify(this.stderr.slice(-500))})`)), timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Kills it if it still runs (afterEach). */
  async kill (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGKILL')
    await this.exited
  }
}
