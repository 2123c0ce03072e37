'use strict'

// Logstash down and the cache full: what logging costs the application then. A handler with
// default options whose Logstash refuses every connection; the application logs
// bench/event.js's events, 2000 per turn of the event loop, 600,000 in all, so the memory
// cache fills to its bound (100,000 events) and from then on drops its oldest for every event
// logged. Each measurement is a fresh process; rounds alternate the builds. Reported per
// build: main-thread and process CPU per log call, time spent in garbage collection, the heap in use and
// the peak resident memory at the end.
//
//   npm run bench:cache-full
//   npm run bench:cache-full -- --before .bench/core-before --rounds 5

const net = require('node:net')
const path = require('node:path')
const { parseArgs } = require('node:util')
const { PerformanceObserver } = require('node:perf_hooks')
const { makeEvent } = require('./event')
const { measureInChild } = require('./forked')
const { median } = require('./report')

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '600000' },
    rounds: { type: 'string', default: '3' },
    before: { type: 'string' },
    child: { type: 'string' }
  }
})

const PER_TURN = 2000

async function runChild ({ module, events }) {
  const { LogstashHandler, createLogger } = require(module)
  let gcMs = 0
  const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) gcMs += entry.duration })
  observer.observe({ entryTypes: ['gc'] })
  // A port that was just free: every connection is refused, as by a Logstash that is down.
  const port = await new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
  const handler = new LogstashHandler({ host: '127.0.0.1', port, onError: () => {} })
  const logger = createLogger({ handler })
  const start = process.threadCpuUsage()
  const startProcess = process.cpuUsage()
  let i = 0
  await new Promise((resolve) => {
    const turn = () => {
      for (const end = Math.min(events, i + PER_TURN); i < end; i++) {
        const { message, fields } = makeEvent(i)
        logger.info(message, fields)
      }
      if (i < events) setImmediate(turn)
      else resolve()
    }
    turn()
  })
  const cpu = process.threadCpuUsage(start)
  const processCpu = process.cpuUsage(startProcess)
  const stats = handler.stats()
  observer.disconnect()
  process.send({
    usPerCall: (cpu.user + cpu.system) / events,
    processUsPerCall: (processCpu.user + processCpu.system) / events,
    gcMs,
    heapUsedMiB: process.memoryUsage().heapUsed / 1048576,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    queued: stats.queued,
    dropped: stats.dropped
  })
  process.exit(0)
}

async function main () {
  const events = Number(values.events)
  const rounds = Number(values.rounds)
  const builds = [{ name: 'current', module: '@logstash-async/core' }]
  if (values.before !== undefined) builds.push({ name: 'before', module: path.resolve(values.before, 'dist', 'index.js') })
  const results = new Map(builds.map((build) => [build.name, []]))
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? builds : [...builds].reverse()
    for (const build of order) results.get(build.name).push(await measureInChild(__filename, { module: build.module, events }))
    process.stderr.write(`round ${round + 1}/${rounds}\n`)
  }
  console.log(`Logstash down, memory cache full: ${events} log calls, defaults (median of ${rounds} rounds, Node ${process.version})`)
  // Process CPU counts V8's helper threads too (parallel scavenges, concurrent marking).
  console.log('build     main CPU us/call   process CPU us/call   GC ms   heap used MiB   peak RSS MiB   queued   dropped')
  for (const build of builds) {
    const runs = results.get(build.name)
    const m = (key) => median(runs.map((r) => r[key]))
    console.log(`${build.name.padEnd(8)}  ${m('usPerCall').toFixed(2).padStart(16)}  ${m('processUsPerCall').toFixed(2).padStart(19)}  ${m('gcMs').toFixed(0).padStart(6)}  ${m('heapUsedMiB').toFixed(0).padStart(14)}  ${m('maxRssMiB').toFixed(0).padStart(13)}  ${String(m('queued')).padStart(7)}  ${String(m('dropped')).padStart(8)}`)
  }
}

if (values.child !== undefined) runChild(JSON.parse(values.child)).catch((err) => { console.error(err); process.exit(1) })
else main().catch((err) => { console.error(err); process.exit(1) })
