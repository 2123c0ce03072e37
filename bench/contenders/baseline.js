'use strict'

const net = require('node:net')
const os = require('node:os')
const { once } = require('node:events')

const BATCH_LINES = 1000

/**
 * The hand-written baseline: what an application would write without a logging library.
 * `JSON.stringify(event) + '\n'` per call; lines collected and written to one `net.Socket`
 * as one string, when 1000 are waiting or at the next turn of the event loop. No cache, no
 * retry, no backpressure handling beyond what the socket buffers itself.
 *
 * The event is the minimal one (timestamp, level, message, the fields), or with
 * `options.shape: 'logstash'` the same event LogstashFormatter writes, field for field, so
 * the cost of the pipeline can be told apart from the cost of the bigger event.
 */
async function create ({ host, port }, options = {}) {
  const socket = net.connect({ host, port })
  await once(socket, 'connect')
  socket.on('error', () => {})
  let lines = []
  let scheduled = false

  const flush = () => {
    scheduled = false
    if (lines.length === 0) return
    socket.write(lines.join(''))
    lines = []
  }

  const build = options.shape === 'logstash' ? logstashShape() : minimalShape
  return {
    log (message, fields) {
      lines.push(JSON.stringify(build(message, fields)) + '\n')
      if (lines.length >= BATCH_LINES) flush()
      else if (!scheduled) { scheduled = true; setImmediate(flush) }
    },
    async close () {
      flush()
      socket.end()
      await once(socket, 'close')
    }
  }
}

function minimalShape (message, fields) {
  return { '@timestamp': new Date().toISOString(), level: 'INFO', message, ...fields }
}

// The constant fields as LogstashFormatter fills them (see its buildFragments()).
function logstashShape () {
  const host = os.hostname()
  const program = process.argv[1] ?? process.argv0
  const version = require('@logstash-async/core').VERSION
  return (message, fields) => ({
    '@timestamp': new Date().toISOString(),
    '@version': '1',
    host,
    level: 'INFO',
    logsource: host,
    message,
    pid: process.pid,
    program,
    type: 'nodejs-logstash',
    extra: {
      logstash_async_version: version,
      interpreter: process.execPath,
      interpreter_version: process.version,
      process_name: process.title,
      thread_name: 'main',
      ...fields
    }
  })
}

module.exports = { create }
