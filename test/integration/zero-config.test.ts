import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { TcpReceiver } from '../helpers/tcp-receiver'

const run = promisify(execFile)
const ROOT = join(__dirname, '..', '..', '..')

describe('zero configuration', () => {
  let receiver: TcpReceiver | undefined

  afterEach(async () => {
    await receiver?.close()
    receiver = undefined
  })

  it('createLogger() with no handler ships to LOGSTASH_HOST:LOGSTASH_PORT and flushes before exit', async () => {
    receiver = await TcpReceiver.start()
    const script = `
      const { createLogger } = require('@logstash-async/core')
      const log = createLogger({ name: 'zero' })
      for (let i = 0; i < 3; i++) log.info('event ' + i, { i })
    `
    await run(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { ...process.env, LOGSTASH_HOST: '127.0.0.1', LOGSTASH_PORT: String(receiver.port), LOGSTASH_LEVEL: 'info' },
      timeout: 15_000
    })
    const events = await receiver.waitForEvents(3)
    assert.deepEqual(events.map((e) => e.message), ['event 0', 'event 1', 'event 2'])
    assert.equal((events[0]?.extra as Record<string, unknown>).logger_name, 'zero')
  })

  it('reports a wrong environment variable by name at first use', async () => {
    const script = `
      const { createLogger } = require('@logstash-async/core')
      try { createLogger() } catch (err) { console.log(err.name + ': ' + err.message) }
    `
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, LOGSTASH_PORT: 'abc' } })
    assert.equal(stdout.trim(), 'ConfigurationError: environment variable LOGSTASH_PORT must be an integer 1-65535, got "abc"')
  })
})
