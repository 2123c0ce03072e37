'use strict'

const { once } = require('node:events')
const pino = require('pino')

/**
 * pino with pino-socket as a `pino.transport()` target: the main thread serialises the
 * line and hands it to a worker thread (thread-stream), which writes it to the TCP socket.
 * Defaults of both, except the address and `mode: 'tcp'`.
 */
async function create ({ host, port }) {
  const transport = pino.transport({ target: 'pino-socket', options: { address: host, port, mode: 'tcp' } })
  // The worker is ready once pino-socket's connection is open.
  await once(transport, 'ready')
  const logger = pino(transport)
  return {
    log (message, fields) {
      logger.info(fields, message)
    },
    async close () {
      transport.end()
      await once(transport, 'close')
    }
  }
}

module.exports = { create }
