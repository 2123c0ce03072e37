'use strict'

const winston = require('winston')
const { LogstashTransport } = require('@logstash-async/winston')

/**
 * winston 3 with this project's LogstashTransport, creating its handler from the options
 * (TCP, memory cache, LogstashFormatter: every other option at its default). The same
 * logger set-up as the winston + winston-logstash contender: `format.timestamp()`.
 */
async function create ({ host, port }) {
  const transport = new LogstashTransport({ host, port })
  const logger = winston.createLogger({ level: 'info', format: winston.format.timestamp(), transports: [transport] })
  return {
    log (message, fields) {
      logger.info(message, fields)
    },
    stats: () => transport.handler.stats(),
    close: () => transport.close()
  }
}

module.exports = { create }
