import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const DEMO = join(__dirname, '..', '..', '..', 'examples', 'express-basic', 'demo.js')

describe('npm run demo', function () {
  this.timeout(90_000)

  it('runs the listener and the Express example, prints each request\'s events, and exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [DEMO], { env: { ...process.env, NO_COLOR: '1' }, timeout: 80_000 })
    const lines = stdout.split('\n')
    const after = (pattern: RegExp): string[] => lines.slice(lines.findIndex((line) => pattern.test(line)))
    // Each request is followed by its own events, with the request's fields.
    assert.ok(after(/^== GET \/orders\/42 → 200/).some((line) => /\[tcp\] order read$/.test(line)))
    assert.match(stdout, /\[tcp\] GET \/orders\/42 200 \d+\.\dms\n {4}logger_name=express req_method=GET req_uri=http:\/\/127\.0\.0\.1:\d+\/orders\/42 req_route=\/orders\/:id .*request_id=\S+ status_code=200/)
    assert.match(stdout, /\[tcp\] order placed\n.* req_method=POST .*request_id=\S+ .*item=coffee/)
    assert.match(stdout, /\[tcp\] POST \/orders 201 /)
    assert.match(stdout, /ERROR {4}\[tcp\] payment service unavailable\n.*error_type=Error .*status_code=500/)
    assert.match(stdout, /\n {4}Caused by: Error: connect ECONNREFUSED/)
    assert.match(stdout, /ERROR {4}\[tcp\] GET \/fail 500 /)
    assert.match(stdout, /\[tcp\] shutting down/)
    assert.match(stdout, /^== listener: received 8 events \(tcp 8\)$/m)
    assert.match(stdout, /^== demo ok: 8 events/m)
  })
})
