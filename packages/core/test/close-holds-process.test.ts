import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { BeatsReceiver } from '../../../test/helpers/beats-receiver'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'

const run = promisify(execFile)

// A process whose only remaining work is `await handler.close()` (a SIGTERM handler after
// the server closed): close() must resolve before the process ends, not be cut off by it.
const SCRIPT = `
const { LogstashHandler, createLogger } = require('@logstash-async/core')
const handler = new LogstashHandler({ host: '127.0.0.1', port: Number(process.argv[1]), transport: process.argv[2], flushIntervalMs: 600000 })
createLogger({ handler }).info('last words')
setImmediate(async () => {
  await handler.close()
  console.log('closed, sent ' + handler.stats().sent)
})
`

describe('LogstashHandler.close() in a process with nothing else to do', () => {
  let receiver: TcpReceiver | BeatsReceiver | undefined

  afterEach(async () => {
    await receiver?.close()
    receiver = undefined
  })

  it('resolves before the process exits, after delivering', async () => {
    receiver = await TcpReceiver.start()
    const { stdout } = await run(process.execPath, ['-e', SCRIPT, String(receiver.port), 'tcp'], { cwd: resolve(__dirname, '..'), timeout: 15_000 })
    assert.equal(stdout.trim(), 'closed, sent 1')
    await receiver.waitForEvents(1)
  })

  it('resolves before the process exits with the beats transport too', async () => {
    const beats = await BeatsReceiver.start()
    receiver = beats
    const { stdout } = await run(process.execPath, ['-e', SCRIPT, String(beats.port), 'beats'], { cwd: resolve(__dirname, '..'), timeout: 15_000 })
    assert.equal(stdout.trim(), 'closed, sent 1')
    assert.equal(beats.events.length, 1)
  })
})
