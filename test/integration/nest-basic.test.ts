import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { once, waitFor } from '../helpers/wait'

const MAIN = join(__dirname, '..', '..', '..', 'examples', 'nest-basic', 'dist', 'main.js')

describe('examples/nest-basic', function () {
  this.timeout(60_000)
  let receiver: TcpReceiver | undefined
  let app: ChildProcess | undefined

  afterEach(async () => {
    if (app !== undefined && app.exitCode === null && app.signalCode === null) {
      app.kill('SIGKILL')
      await once(app, 'exit')
    }
    await receiver?.close()
    app = receiver = undefined
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 on ${signal} (${signal === 'SIGINT' ? 'Ctrl-C' : 'a process manager'}), after delivering what its requests logged`, async () => {
      receiver = await TcpReceiver.start()
      const child = app = spawn(process.execPath, [MAIN], {
        env: { ...process.env, LOGSTASH_HOST: '127.0.0.1', LOGSTASH_PORT: String(receiver.port), PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stdout = ''
      let stderr = ''
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, sig) => resolve([code, sig])))
      await waitFor(() => /listening on \S+\n/.test(stdout), { timeoutMs: 20_000, message: () => `the app to listen (stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)})` })
      const base = /listening on (\S+)/.exec(stdout)?.[1] ?? ''
      const placed = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'secret' }, body: JSON.stringify({ item: 'book' }) })
      assert.equal(placed.status, 201)
      await placed.text()

      child.kill(signal)
      assert.deepEqual(await exited, [0, null], stderr)
      const messages = (): string[] => receiver?.events.map((event) => String(event.message)) ?? []
      await waitFor(() => messages().includes('order placed') && messages().some((m) => /^POST \/orders 201 /.test(m)), {
        timeoutMs: 5000,
        message: () => `the request's events (got ${JSON.stringify(messages())})`
      })
    })
  }
})
