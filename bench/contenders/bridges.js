'use strict'

/**
 * The logger bridges, each to be compared with the contender of the same logger
 * (`pino`: pino + pino-socket, `winston`: winston + winston-logstash).
 */
module.exports = [
  {
    id: 'pino-logstash-destination',
    label: 'pino + @logstash-async/pino logstashDestination (main thread)',
    file: 'pino-logstash-async.js',
    options: { mode: 'destination' }
  },
  {
    id: 'pino-logstash-target',
    label: 'pino + @logstash-async/pino pino.transport target (worker thread)',
    file: 'pino-logstash-async.js',
    options: { mode: 'target' }
  },
  {
    id: 'winston-logstash-async',
    label: 'winston + @logstash-async/winston LogstashTransport',
    file: 'winston-logstash-async.js'
  }
]
