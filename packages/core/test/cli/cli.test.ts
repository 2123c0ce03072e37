import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { connect, createServer, type AddressInfo } from 'node:net'
import { once, waitFor } from '../../../../test/helpers/wait'

const BIN = join(dirname(require.resolve('@logstash-async/core/package.json')), 'dist', 'cli', 'main.js')

/** The bin as a user runs it, with its output collected. */
class Cli {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  readonly exited: Promise<number | null>

  constructor (args: string[]) {
    this.child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { this.stdout += chunk })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.stderr += chunk })
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)))
  }

  /** Waits for the `listening:` line of each input and returns their ports. */
  async ports (count: number): Promise<Record<string, number>> {
    await waitFor(() => (this.stderr.match(/^listening: /gm) ?? []).length >= count, { timeoutMs: 10_000, message: () => `${count} listening lines in ${JSON.stringify(this.stderr)}` })
    const ports: Record<string, number> = {}
    for (const [, name, port] of this.stderr.matchAll(/^listening: (\w+) \S+:(\d+)$/gm)) ports[name as string] = Number(port)
    return ports
  }

  kill (): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}

describe('logstash-async listen: the command', () => {
  let cli: Cli | undefined
  afterEach(() => { cli?.kill(); cli = undefined })

  it('prints each event as one JSON line and the count on SIGTERM, exiting 0', async () => {
    cli = new Cli(['listen', '--tcp', '0', '--udp', '0'])
    const { tcp } = await cli.ports(2)
    const socket = connect(tcp as number, '127.0.0.1')
    await once(socket, 'connect')
    socket.end('{"message":"one","n":1}\n{"message":"two"}\n')
    await waitFor(() => cli!.stdout.split('\n').length >= 3, { timeoutMs: 10_000, message: 'two lines on stdout' })
    cli.child.kill('SIGTERM')
    assert.equal(await cli.exited, 0)
    assert.equal(cli.stdout, '{"message":"one","n":1}\n{"message":"two"}\n')
    assert.match(cli.stderr, /^received 2 events \(tcp 2\)$/m)
  })

  it('prints events readably with --pretty', async () => {
    cli = new Cli(['listen', '--http', '0', '--pretty'])
    const { http } = await cli.ports(1)
    const response = await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', body: JSON.stringify([{ '@timestamp': '2025-03-01T10:42:01.123Z', level: 'INFO', message: 'hello', extra: { a: 1 } }]) })
    assert.equal(response.status, 200)
    await waitFor(() => cli!.stdout.includes('a=1'), { timeoutMs: 10_000, message: 'the pretty event' })
    assert.equal(cli.stdout, '10:42:01.123 INFO     [http] hello\n    a=1\n')
  })

  it('exits 2 with the usage on a wrong option', async () => {
    cli = new Cli(['listen', '--tcp', 'x'])
    assert.equal(await cli.exited, 2)
    assert.match(cli.stderr, /--tcp must be a port number 0-65535, got "x"/)
    assert.match(cli.stderr, /Usage: logstash-async listen/)
  })

  it('exits 1 when a port is taken', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      cli = new Cli(['listen', '--tcp', String((taken.address() as AddressInfo).port)])
      assert.equal(await cli.exited, 1)
      assert.match(cli.stderr, /cannot listen: .*EADDRINUSE/)
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()))
    }
  })
})
