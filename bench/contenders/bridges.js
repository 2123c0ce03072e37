'use strict'

/**
 * The logger bridges, each to be compared with the contender of the same logger and thread:
 * `pino-logstash-destination` with `pino-socket-main` (both write from the main thread),
 * `pino-logstash-target` with `pino` (pino-socket in pino's worker thread),
 * `winston-logstash-async` with `winston` (winston-logstash).
 */
module.exports = [
  {
    id: 'pino-socket-main',
    label: 'pino + pino-socket as a main-thread stream (the peer of logstashDestination)',
    file: 'pino-socket-main.js'
  },
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
