import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { TcpReceiver } from '../helpers/tcp-receiver'

const FIXTURE = join(__dirname, '..', 'fixtures', 'log-and-exit.js')

interface Exit { code: number | null, signal: NodeJS.Signals | null, stderr: string }

/** Runs the fixture in its own Node process, killing it if it outlives `timeoutMs`. */
function runFixture (args: (string | number)[], timeoutMs = 15_000): Promise<Exit> {
  return new Promise<Exit>((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, ...args.map(String)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the fixture did not exit within ${timeoutMs} ms; stderr: ${stderr}`))
    }, timeoutMs)
    child.once('error', (err) => { clearTimeout(timer); reject(err) })
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stderr }) })
  })
}

describe('a process that ends without closing its handler', () => {
  let receiver: TcpReceiver | undefined

  afterEach(async () => {
    await receiver?.close()
    receiver = undefined
  })

  it('delivers every event through the beforeExit flush', async () => {
    receiver = await TcpReceiver.start()
    const count = 2500
    const exit = await runFixture([receiver.port, count])
    assert.deepEqual(exit, { code: 0, signal: null, stderr: '' })
    await receiver.waitForEvents(count)
    assert.deepEqual(receiver.events.map((e) => (e.extra as { seq: number }).seq), Array.from({ length: count }, (_, i) => i))
    assert.deepEqual(receiver.invalid, [])
  })

  it('still exits, after closeTimeoutMs, when the receiver is down', async () => {
    receiver = await TcpReceiver.start()
    await receiver.kill()
    const exit = await runFixture([receiver.port, 10, 300])
    assert.equal(exit.code, 0)
    assert.match(exit.stderr, /10 events not delivered within closeTimeoutMs \(300 ms\) before exit/)
  })
})
