'use strict'

const { once } = require('node:events')
const winston = require('winston')
const LogstashTransport = require('winston-logstash/lib/winston-logstash-latest')

/**
 * winston 3 with winston-logstash's transport for winston 3. The logger adds a timestamp
 * (`format.timestamp()`, as most winston set-ups do); the transport serialises the info
 * object itself and writes one line per event, the next only after the previous write's
 * callback. Reconnect retries unbounded so a slow start cannot switch it off.
 */
async function create ({ host, port }) {
  const transport = new LogstashTransport({ host, port, max_connect_retries: -1 })
  await once(transport.manager, 'connected')
  const logger = winston.createLogger({ level: 'info', format: winston.format.timestamp(), transports: [transport] })
  logger.on('error', () => {})
  return {
    log (message, fields) {
      logger.info(message, fields)
    },
    async close () {
      logger.close()
    }
  }
}

module.exports = { create }
