'use strict'

// One contender, one run, in a fresh process (so peak RSS is its own). The runner passes
// the run's settings as JSON in argv[2]. Clocks start after the contender is set up (and,
// where it connects up front, connected), and stop when the runner relays that the sink
// has every event.

const path = require('node:path')
const { logInChunks } = require('./event')

async function main () {
  const config = JSON.parse(process.argv[2])
  const contender = require(path.join(__dirname, 'contenders', config.file))
  const instance = await contender.create({ host: config.host, port: config.port, ports: config.ports, tmpDir: config.tmpDir }, config.options)
  const log = instance.log.bind(instance)

  const stopped = new Promise((resolve) => {
    process.on('message', (msg) => { if (msg.type === 'stop') resolve(msg) })
  })

  const thread0 = process.threadCpuUsage()
  const process0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await logInChunks(log, config.events, config.chunk)
  const loggedNs = process.hrtime.bigint() - t0
  process.send({ type: 'logged' })

  const stop = await stopped
  const elapsedNs = process.hrtime.bigint() - t0
  const thread = process.threadCpuUsage(thread0)
  const proc = process.cpuUsage(process0)
  const maxRssKiB = process.resourceUsage().maxRSS

  // When the sink gave up waiting, the last idle stretch is not sending time.
  const activeMs = Math.max(1, Number(elapsedNs) / 1e6 - (stop.complete ? 0 : stop.idleMs))
  await send({
    type: 'result',
    result: {
      events: config.events,
      received: stop.events,
      lost: Math.max(0, config.events - stop.events),
      bytes: stop.bytes,
      elapsedMs: Number(elapsedNs) / 1e6,
      loggedMs: Number(loggedNs) / 1e6,
      activeMs,
      mainCpuUs: thread.user + thread.system,
      processCpuUs: proc.user + proc.system,
      maxRssKiB,
      sinkCpuUs: stop.sinkCpuUs,
      libraryStats: typeof instance.stats === 'function' ? summariseStats(instance.stats()) : undefined,
      sample: stop.sample
    }
  })

  await Promise.race([instance.close(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]).catch(() => {})
  process.exit(0)
}

function send (msg) {
  return new Promise((resolve) => process.send(msg, resolve))
}

function summariseStats (stats) {
  const { lastError, ...counts } = stats
  return { ...counts, lastError: lastError === undefined ? undefined : String(lastError.message) }
}

main().catch(async (err) => {
  await send({ type: 'error', message: err?.stack ?? String(err) })
  process.exit(1)
})
