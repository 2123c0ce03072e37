'use strict'

const { once } = require('node:events')
const pino = require('pino')

/**
 * pino writing to this project. `options.mode`:
 * - 'destination': `pino(logstashDestination(handler))`, a LogstashHandler with its defaults
 *   (TCP, memory cache, LogstashFormatter) on the main thread: pino serialises the line, the
 *   destination parses it back into a record, the handler formats and queues it.
 * - 'target': `pino.transport({ target: '@logstash-async/pino', options: { host, port } })`:
 *   the main thread serialises and hands the line to pino's worker thread, where the
 *   handler (same defaults) parses, formats and sends it.
 * `logger.info(fields, message)`, as the pino + pino-socket contender.
 */
async function create ({ host, port }, options = {}) {
  if (options.mode === 'target') {
    const transport = pino.transport({ target: '@logstash-async/pino', options: { host, port } })
    // The logger first: it announces its keys and levels, which the thread waits for.
    const logger = pino(transport)
    await once(transport, 'ready')
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
  const { LogstashHandler } = require('@logstash-async/core')
  const { logstashDestination } = require('@logstash-async/pino')
  const handler = new LogstashHandler({ host, port })
  const logger = pino(logstashDestination(handler))
  return {
    log (message, fields) {
      logger.info(fields, message)
    },
    stats: () => handler.stats(),
    close: () => handler.close()
  }
}

module.exports = { create }
