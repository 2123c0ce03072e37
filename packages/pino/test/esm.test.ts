import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

// ES modules importing the CommonJS builds by name; pino's loader finds the target as the
// default export's default (module.exports.default), as it unwraps CommonJS modules.
const ESM_SCRIPT = `
import pino from 'pino'
import winston from 'winston'
import pinoModule, { logstashDestination } from '@logstash-async/pino'
import { LogstashTransport } from '@logstash-async/winston'
const messages = []
const handler = { log: (record) => messages.push(record.message) }
pino(logstashDestination(handler)).info('from pino')
winston.createLogger({ transports: [new LogstashTransport({ handler })] }).info('from winston')
console.log(JSON.stringify({ target: typeof pinoModule.default, messages }))
`

describe('@logstash-async/pino and /winston from an ES module', () => {
  it('import by name, and pino finds the transport target', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', ESM_SCRIPT], { cwd: resolve(__dirname, '..'), timeout: 15_000 })
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), { target: 'function', messages: ['from pino', 'from winston'] })
  })
})
