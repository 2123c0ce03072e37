'use strict'

/**
 * The contenders, in table order. Each `file` exports `create(ctx, options)` resolving to
 * `{ log(message, fields), close() }`; `options` is this entry's, passed to the child as JSON.
 * `protocol` picks the sink's server the contender is pointed at: 'tcp' (JSON lines, the
 * default), 'beats' or 'http'. A further contender is one more entry.
 */
module.exports = [
  {
    id: 'baseline',
    label: 'hand-written JSON lines',
    file: 'baseline.js',
    baseline: true
  },
  {
    id: 'logstash-async',
    label: '@logstash-async/core LogstashHandler, TCP, defaults',
    file: 'logstash-async.js',
    // The figures the targets are checked against.
    target: true
  },
  {
    id: 'logstash-async-sqlite',
    label: '@logstash-async/core LogstashHandler, TCP, SQLite cache (databasePath)',
    file: 'logstash-async.js',
    options: { databaseFile: 'cache.db' }
  },
  {
    id: 'logstash-async-beats',
    label: '@logstash-async/core LogstashHandler, Beats with its defaults (compressed)',
    file: 'logstash-async.js',
    protocol: 'beats',
    options: { handler: { transport: 'beats' } }
  },
  {
    id: 'logstash-async-beats-level-6',
    // The level before issue 11 (the default is now 3): what the choice of the default buys.
    label: '@logstash-async/core LogstashHandler, Beats, compressionLevel 6',
    file: 'logstash-async.js',
    protocol: 'beats',
    options: { handler: { transport: 'beats', beats: { compressionLevel: 6 } } }
  },
  {
    id: 'logstash-async-beats-plain',
    label: '@logstash-async/core LogstashHandler, Beats uncompressed (compressionLevel 0)',
    file: 'logstash-async.js',
    protocol: 'beats',
    options: { handler: { transport: 'beats', beats: { compressionLevel: 0 } } }
  },
  {
    id: 'logstash-async-http',
    label: '@logstash-async/core LogstashHandler, HTTP (JSON array per batch)',
    file: 'logstash-async.js',
    protocol: 'http',
    options: { handler: { transport: 'http' } }
  },
  {
    id: 'logstash-async-2-hosts',
    label: '@logstash-async/core LogstashHandler, TCP, two hosts, loadBalance: true',
    file: 'logstash-async.js',
    hosts: 2,
    options: { handler: { loadBalance: true } }
  },
  {
    id: 'logstash-async-3-hosts',
    label: '@logstash-async/core LogstashHandler, TCP, three hosts, loadBalance: true',
    file: 'logstash-async.js',
    hosts: 3,
    options: { handler: { loadBalance: true } }
  },
  {
    id: 'baseline-logstash',
    label: 'hand-written JSON lines, the same event as LogstashFormatter',
    file: 'baseline.js',
    options: { shape: 'logstash' }
  },
  {
    id: 'pino',
    label: 'pino + pino-socket (pino.transport, worker thread)',
    file: 'pino.js'
  },
  {
    id: 'winston',
    label: 'winston + winston-logstash',
    file: 'winston.js'
  },
  // @logstash-async/pino and /winston: compare each with the row of the same logger above.
  ...require('./bridges')
]
