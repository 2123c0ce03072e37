'use strict'

// The formatters' micro-benchmark: main-thread CPU per `format()` call for the benchmark's
// record (bench/event.js), outside and inside a request, each measurement a fresh process,
// rounds alternated. `--before DIR` adds a saved build of the core (the same layout as
// `npm run bench -- --before`), and prints after/before ratios.
//
//   npm run bench:format
//   npm run bench:format -- --before .bench/core-before --rounds 9

const path = require('node:path')
const { parseArgs } = require('node:util')
const { makeEvent } = require('./event')
const { measureInChild } = require('./forked')
const { median } = require('./report')

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '7' },
    before: { type: 'string' },
    formatters: { type: 'string', default: 'logstash,ecs' },
    child: { type: 'string' }
  }
})

// A request as the adapters describe one (the context fields the formatters write), made as
// they make it: from the request by the adapter kit's contextFromIncoming.
function requestContext (module) {
  const { contextFromIncoming } = require(path.join(path.dirname(require.resolve(module)), 'adapter.js'))
  const req = {
    method: 'POST',
    url: '/orders/104242?source=web',
    httpVersion: '1.1',
    headers: {
      host: 'shop.example.com',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
      referer: 'https://shop.example.com/cart'
    },
    socket: { encrypted: true, remoteAddress: '203.0.113.7', remotePort: 52144 }
  }
  const context = contextFromIncoming(req, { id: 'b7ad6b7169203331', route: '/orders/:id', framework: { name: 'express', version: '5.1.0' }, startTime: 0 })
  context.user = 'customer-4242'
  return context
}

function runChild ({ module, formatter, scenario, calls }) {
  const core = require(module)
  const Formatter = formatter === 'ecs' ? core.EcsFormatter : core.LogstashFormatter
  const instance = new Formatter()
  const context = scenario === 'request' ? requestContext(module) : undefined
  const once = (i) => {
    const { message, fields } = makeEvent(i)
    return instance.format({ level: 'info', time: Date.now(), message, fields }, context)
  }
  let bytes = 0
  // An application logs fields of many shapes: the formatter's property accesses and copies
  // see them all (megamorphic), not only the benchmark's one.
  for (let shape = 0; shape < 40; shape++) {
    const fields = {}
    for (let k = 0; k <= shape % 8; k++) fields[`field${shape}_${k}`] = k % 3 === 0 ? { id: k, name: 'n' } : k % 3 === 1 ? [k, 'x'] : `value ${k}`
    for (let r = 0; r < 500; r++) bytes += instance.format({ level: 'info', time: Date.now(), message: 'warm-up', fields }, context).length
  }
  for (let i = 0; i < 50_000; i++) bytes += once(i).length
  const start = process.threadCpuUsage()
  for (let i = 0; i < calls; i++) bytes += once(i).length
  const used = process.threadCpuUsage(start)
  process.send({ usPerCall: (used.user + used.system) / calls, bytes })
}

async function main () {
  const calls = Number(values.calls)
  const rounds = Number(values.rounds)
  const builds = [{ name: 'current', module: '@logstash-async/core' }]
  if (values.before !== undefined) builds.push({ name: 'before', module: path.resolve(values.before, 'dist', 'index.js') })
  const jobs = []
  for (const formatter of values.formatters.split(',')) {
    for (const scenario of ['outside', 'request']) {
      for (const build of builds) jobs.push({ key: `${formatter} ${scenario} ${build.name}`, formatter, scenario, build: build.name, module: build.module, calls })
    }
  }
  const results = new Map(jobs.map((job) => [job.key, []]))
  for (let round = 0; round < rounds; round++) {
    // Rotated each round: no job always runs first or after the same neighbour.
    const order = [...jobs.slice(round % jobs.length), ...jobs.slice(0, round % jobs.length)]
    for (const job of order) results.get(job.key).push((await measureInChild(__filename, job)).usPerCall)
    process.stderr.write(`round ${round + 1}/${rounds}\n`)
  }
  console.log(`format() of bench/event.js's record, main-thread CPU per call (median of ${rounds} rounds of ${calls} calls, Node ${process.version})`)
  for (const formatter of values.formatters.split(',')) {
    for (const scenario of ['outside', 'request']) {
      const current = results.get(`${formatter} ${scenario} current`)
      let line = `${formatter.padEnd(9)} ${scenario === 'outside' ? 'outside a request' : 'inside a request '}  ${median(current).toFixed(3)} us`
      const before = results.get(`${formatter} ${scenario} before`)
      if (before !== undefined) {
        const ratios = current.map((us, i) => us / before[i])
        line += `   before ${median(before).toFixed(3)} us   after/before ${median(ratios).toFixed(2)}x (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})`
      }
      console.log(line)
    }
  }
}

if (values.child !== undefined) runChild(JSON.parse(values.child))
else main().catch((err) => { console.error(err); process.exit(1) })
