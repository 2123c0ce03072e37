'use strict'

const path = require('node:path')

/**
 * This project: a `LogstashHandler` with its defaults (TCP, memory cache, LogstashFormatter)
 * and a logger from `createLogger()`. `options.handler` is merged into the handler's options
 * (the Beats and HTTP contenders set `transport` there, the multi-host ones `loadBalance`); `options.databaseFile` puts a SQLite cache of that name in the run's fresh temporary
 * directory (the SQLite-cache contender); `options.module` loads
 * another build of the core (`--before DIR`).
 */
async function create ({ host, port, ports = [port], tmpDir }, options = {}) {
  const { LogstashHandler, createLogger } = require(options.module ?? '@logstash-async/core')
  const handler = new LogstashHandler({
    // Several hosts: one of the sink's servers each (the contenders with `hosts`).
    ...(ports.length > 1 ? { hosts: ports.map((p) => `${host}:${p}`) } : { host, port }),
    ...options.handler,
    ...(options.databaseFile === undefined ? {} : { databasePath: path.join(tmpDir, options.databaseFile) })
  })
  const logger = createLogger({ handler })
  return {
    log (message, fields) {
      logger.info(message, fields)
    },
    stats: () => handler.stats(),
    close: () => handler.close()
  }
}

module.exports = { create }
