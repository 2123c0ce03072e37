'use strict'

const pino = require('pino')
const pinoSocket = require('pino-socket')

/**
 * pino with pino-socket's stream on the main thread (`pino(await pinoSocket(options))`, no
 * worker): the like-for-like peer of `logstashDestination()`, which also writes from the
 * caller's thread. pino-socket's defaults, except the address and `mode: 'tcp'`.
 */
async function create ({ host, port }) {
  // Resolves once the connection is open.
  const stream = await pinoSocket({ address: host, port, mode: 'tcp' })
  const logger = pino(stream)
  return {
    log (message, fields) {
      logger.info(fields, message)
    },
    async close () {
      stream.end()
    }
  }
}

module.exports = { create }
