import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { once } from '../helpers/wait'

const EXAMPLE = resolve(__dirname, '../../../examples/fastify-basic')

/** Resolves with the first stdout line matching `pattern`. */
function lineMatching (child: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    let buffered = ''
    const timer = setTimeout(() => reject(new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms; got ${JSON.stringify(buffered)}`)), timeoutMs)
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk
      const match = pattern.exec(buffered)
      if (match !== null) { clearTimeout(timer); resolvePromise(match) }
    })
  })
}

describe('examples/fastify-basic', () => {
  let receiver: TcpReceiver | undefined
  let child: ChildProcess | undefined

  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
    await receiver?.close()
    child = receiver = undefined
  })

  it('ships request lines, access and error events with request fields, and flushes on SIGTERM', async () => {
    receiver = await TcpReceiver.start()
    child = spawn(process.execPath, ['server.js'], {
      cwd: EXAMPLE,
      env: { ...process.env, LOGSTASH_HOST: '127.0.0.1', LOGSTASH_PORT: String(receiver.port), PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const [, base] = await lineMatching(child, /listening on (http:\/\/\S+),/)
    const get = await fetch(`${base}/orders/1`, { headers: { 'x-request-id': 'example-1' } })
    assert.equal(get.status, 200)
    const post = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'lamp' }) })
    assert.equal(post.status, 201)
    assert.equal((await fetch(`${base}/fail`)).status, 500)

    const stopped = lineMatching(child, /stopped; (\d+) events delivered/)
    child.kill('SIGTERM')
    const [, delivered] = await stopped
    await once(child, 'exit')
    const events = await receiver.waitForEvents(7)
    assert.equal(delivered, '7')
    const extra = (message: RegExp): Record<string, unknown> | undefined =>
      (events.find((e) => message.test(String(e.message))) as { extra?: Record<string, unknown> } | undefined)?.extra
    assert.equal(extra(/^order looked up$/)?.request_id, 'example-1')
    assert.equal(extra(/^order looked up$/)?.req_route, '/orders/:id')
    assert.equal(extra(/^order placed$/)?.item, 'lamp')
    assert.equal(extra(/^payment service unavailable$/)?.status_code, 500)
    assert.match(String(extra(/^payment service unavailable$/)?.stack_trace), /Caused by: Error: connect ECONNREFUSED/)
    assert.equal(extra(/^GET \/fail 500 /)?.req_route, '/fail')
    assert.deepEqual(events.filter((e) => /incoming request|request completed/.test(String(e.message))), [])
  })
})
