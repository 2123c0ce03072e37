import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

// An ES module importing the CommonJS build: the default import (module.exports, which
// Fastify's loader unwraps) and the named ones must both register and log.
const ESM_SCRIPT = `
import Fastify from 'fastify'
import plugin, { logstashPlugin, logstashStream } from '@logstash-async/fastify'
const events = []
const handler = { log: (record) => events.push(record.message), flush: async () => true, close: async () => {} }
for (const candidate of [plugin, logstashPlugin]) {
  const app = Fastify({ logger: { stream: logstashStream(handler) } })
  await app.register(candidate, { handler })
  app.get('/', async () => 'ok')
  await app.inject('/')
  await app.close()
}
console.log(JSON.stringify({ named: typeof logstashPlugin, events: events.filter((m) => m.startsWith('GET /')).length }))
`

describe('@logstash-async/fastify from an ES module', () => {
  it('registers through the default and the named import', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', ESM_SCRIPT], {
      cwd: resolve(__dirname, '..'),
      timeout: 15_000
    })
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), { named: 'function', events: 2 })
  })
})
