import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES } from '../helpers/child-process'
import { TcpReceiver } from '../helpers/tcp-receiver'
import { TempDir } from '../helpers/temp-dir'

describe('the SQLite cache on this Node.js', function () {
  this.timeout(30_000)
  let receiver: TcpReceiver | undefined
  let dir: TempDir | undefined

  afterEach(async () => {
    await receiver?.close()
    dir?.remove()
    receiver = dir = undefined
  })

  // Meaningful on Node.js 22.13 to 23, where node:sqlite warns on load: .ci/run runs the suite there too.
  it(`prints no ExperimentalWarning of ours, and the application's own warnings still show (Node.js ${process.version})`, async () => {
    receiver = await TcpReceiver.start()
    dir = new TempDir()
    const { stderr } = await promisify(execFile)(process.execPath, [join(FIXTURES, 'sqlite-warning-child.js'), String(receiver.port), dir.file('events.db')])
    assert.doesNotMatch(stderr, /SQLite is an experimental feature/)
    assert.match(stderr, /ExperimentalWarning: the application's own warning before/)
    assert.match(stderr, /ExperimentalWarning: the application's own warning after/)
    await receiver.waitForEvents(1)
  })
})
