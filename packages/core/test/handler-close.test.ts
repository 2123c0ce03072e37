import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'

const FIXTURE = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'log-then-close.js')

describe('LogstashHandler.close() at the end of a process', () => {
  let receiver: TcpReceiver | undefined
  afterEach(async () => { await receiver?.close() })

  it('keeps the process up until close() has delivered and returned', async () => {
    receiver = await TcpReceiver.start()
    const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE, String(receiver.port)], { timeout: 20_000 })
    assert.equal(stdout, 'closed sent=1\n')
    await receiver.waitForEvents(1)
    assert.equal(receiver.events[0]?.message, 'logged right before close')
  })
})
