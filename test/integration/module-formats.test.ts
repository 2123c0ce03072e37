import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = join(__dirname, '..', '..', '..')

describe('module formats', () => {
  it('imports every named export from an ES module', async () => {
    const script = `
      import { LogstashHandler, SyncLogstashHandler, createLogger, requestContext, LogstashFormatter,
        TcpTransport, UdpTransport, MemoryCache, ConfigurationError, defaultHandler } from '@logstash-async/core'
      import core from '@logstash-async/core'
      const names = [LogstashHandler, SyncLogstashHandler, createLogger, requestContext, LogstashFormatter,
        TcpTransport, UdpTransport, MemoryCache, ConfigurationError, defaultHandler].map((x) => typeof x)
      console.log(JSON.stringify({ names, sameObject: core.requestContext === requestContext }))
    `
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })
    const result = JSON.parse(stdout) as { names: string[], sameObject: boolean }
    assert.ok(result.names.every((t) => t === 'function' || t === 'object'), stdout)
    assert.equal(result.sameObject, true)
  })

  it('imports the adapter kit from an ES module, sharing the request context with require()', async () => {
    const script = `
      import { createRequire } from 'node:module'
      import { RequestTracker, RequestLifecycle } from '@logstash-async/core/adapter'
      import { requestContext } from '@logstash-async/core'
      const fromRequire = createRequire(process.cwd() + '/')('@logstash-async/core/adapter')
      console.log(JSON.stringify({
        tracker: typeof RequestTracker, sameClass: fromRequire.RequestLifecycle === RequestLifecycle, context: typeof requestContext.run
      }))
    `
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })
    assert.deepEqual(JSON.parse(stdout), { tracker: 'function', sameClass: true, context: 'function' })
  })

  it('shares one request context between require() and import', async () => {
    const script = `
      import { createRequire } from 'node:module'
      import { requestContext as fromImport } from '@logstash-async/core'
      const { requestContext: fromRequire } = createRequire(process.cwd() + '/')('@logstash-async/core')
      fromImport.run({ id: 'x' }, () => console.log(fromRequire.get()?.id))
    `
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })
    assert.equal(stdout.trim(), 'x')
  })
})
