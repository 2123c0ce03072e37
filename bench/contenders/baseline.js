'use strict'

const net = require('node:net')
const { once } = require('node:events')

const BATCH_LINES = 1000

/**
 * The hand-written baseline: what an application would write without a logging library.
 * `JSON.stringify(event) + '\n'` per call; lines collected and written to one `net.Socket`
 * as one string, when 1000 are waiting or at the next turn of the event loop. No cache, no
 * retry, no backpressure handling beyond what the socket buffers itself.
 */
async function create ({ host, port }) {
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

  return {
    log (message, fields) {
      lines.push(JSON.stringify({ '@timestamp': new Date().toISOString(), level: 'INFO', message, ...fields }) + '\n')
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

module.exports = { create }
