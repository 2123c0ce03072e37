'use strict'

// `npm run bench`: every contender against a sink in a separate process (TCP, Beats or HTTP,
// whichever protocol the contender speaks), each run in a fresh child process, contenders alternating over several rounds (the order rotates every
// round), then medians and ratios against the hand-written baseline. See README.md.

const { fork } = require('node:child_process')
const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { parseArgs } = require('node:util')
const CONTENDERS = require('./contenders')
const { derive, peerSummary, summarise, table, targetSummary, transportSummary } = require('./report')

const USAGE = `usage: npm run bench -- [options]
  --events N     events per run (env BENCH_EVENTS, default 200000)
  --rounds N     rounds; every contender runs once per round (env BENCH_ROUNDS, default 5)
  --chunk N      events logged per turn of the event loop (env BENCH_CHUNK, default 1000)
  --only a,b     only these contenders (ids: ${CONTENDERS.map((c) => c.id).join(', ')}); the baseline is always run
  --idle-ms N    a run ends short when the sink got nothing for this long (default 3000)
  --before DIR   also run a saved build of the core (a copy of packages/core: package.json and dist/) as logstash-async-before
  --cpu-prof     write a V8 CPU profile of each thread of each contender process to .bench/profiles/<id>-r<round>/
  --json FILE    also write every run's raw figures to FILE
  --samples      print the first line each contender wrote`

function options () {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: process.env.BENCH_EVENTS ?? '200000' },
      rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '5' },
      chunk: { type: 'string', default: process.env.BENCH_CHUNK ?? '1000' },
      only: { type: 'string', default: process.env.BENCH_ONLY },
      'idle-ms': { type: 'string', default: '3000' },
      before: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      json: { type: 'string' },
      samples: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) { console.log(USAGE); process.exit(0) }
  const int = (name, min) => {
    const n = Number(values[name])
    if (!Number.isInteger(n) || n < min) { console.error(`--${name} must be an integer >= ${min}, got "${values[name]}"\n${USAGE}`); process.exit(2) }
    return n
  }
  let contenders = CONTENDERS
  if (values.only !== undefined) {
    const ids = values.only.split(',').map((s) => s.trim()).filter(Boolean)
    const unknown = ids.filter((id) => !CONTENDERS.some((c) => c.id === id))
    if (unknown.length > 0) { console.error(`unknown contender ${unknown.join(', ')}\n${USAGE}`); process.exit(2) }
    contenders = CONTENDERS.filter((c) => c.baseline || ids.includes(c.id))
  }
  if (values.before !== undefined) {
    // Each of this project's contenders on another build too, right after the current one:
    // before/after in one run (logstash-async-before, logstash-async-sqlite-before).
    const module = path.resolve(values.before)
    // Several hosts are new: an older build has no `hosts` to compare with.
    const ours = contenders.filter((c) => c.file === 'logstash-async.js' && (c.hosts ?? 1) === 1)
    if (ours.length === 0) ours.push(CONTENDERS.find((c) => c.id === 'logstash-async'))
    for (const current of ours) {
      const before = { id: `${current.id}-before`, label: `${current.label}, from ${module}`, file: current.file, protocol: current.protocol, hosts: current.hosts, options: { ...current.options, module } }
      const at = contenders.indexOf(current)
      contenders = at === -1 ? [...contenders, before] : [...contenders.slice(0, at + 1), before, ...contenders.slice(at + 1)]
    }
  }
  return {
    events: int('events', 1),
    rounds: int('rounds', 1),
    chunk: int('chunk', 1),
    idleMs: int('idle-ms', 100),
    cpuProf: values['cpu-prof'],
    json: values.json,
    samples: values.samples,
    contenders
  }
}

// The sink answers at once; a bench that waits for it silently would hang for good.
const SINK_ANSWER_MS = 30_000

function startSink () {
  const sink = fork(path.join(__dirname, 'sink.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    sink.once('error', reject)
    sink.once('exit', (code) => reject(new Error(`sink exited with ${code}`)))
    const timer = setTimeout(() => { sink.kill(); reject(new Error(`the sink did not listen within ${SINK_ANSWER_MS} ms`)) }, SINK_ANSWER_MS)
    const onMessage = (msg) => {
      if (msg.type !== 'listening') return
      clearTimeout(timer)
      sink.off('message', onMessage)
      resolve({ sink, ports: msg.ports })
    }
    sink.on('message', onMessage)
  })
}

function request (sink, msg, answer) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sink.off('message', onMessage)
      reject(new Error(`the sink did not answer ${msg.type} with ${answer} within ${SINK_ANSWER_MS} ms`))
    }, SINK_ANSWER_MS)
    const onMessage = (reply) => {
      if (reply.runId === msg.runId && reply.type === answer) { clearTimeout(timer); sink.off('message', onMessage); resolve(reply) }
    }
    sink.on('message', onMessage)
    sink.send(msg)
  })
}

let runCounter = 0

async function runOne (settings, sink, ports, contender, round) {
  const runId = ++runCounter
  const protocol = contender.protocol ?? 'tcp'
  const port = ports[protocol]
  if (port === undefined) return { error: `the sink has no ${contender.protocol} server` }
  // A contender with several hosts gets one of the sink's servers of its protocol for each.
  const hostPorts = Array.from({ length: contender.hosts ?? 1 }, (_, i) => ports[i === 0 ? protocol : `${protocol}-${i + 1}`])
  if (hostPorts.includes(undefined)) return { error: `the sink has fewer than ${contender.hosts} ${protocol} servers` }
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'logstash-async-bench-'))
  try {
    await request(sink, { type: 'arm', runId, expected: settings.events }, 'armed')
    const config = { file: contender.file, options: contender.options ?? {}, host: '127.0.0.1', port, ports: hostPorts, tmpDir, events: settings.events, chunk: settings.chunk }
    // One directory per run: Node names each thread's profile (pino's transport runs in a thread).
    // BENCH_NODE_ARGS: V8 flags NODE_OPTIONS refuses (--trace-gc-nvp), for the contender only.
    const execArgv = [
      ...(settings.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', path.join(settings.profileDir, `${contender.id}-r${round}`)] : []),
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
    ]
    // LOGSTASH_* variables would change our handler's defaults: not in a benchmark.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LOGSTASH_')))
    const child = fork(path.join(__dirname, 'child.js'), [JSON.stringify(config)], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })

    const onSink = (msg) => {
      if (msg.runId !== runId || (msg.type !== 'complete' && msg.type !== 'settled')) return
      sink.off('message', onSink)
      if (child.connected) child.send({ type: 'stop', complete: msg.type === 'complete', events: msg.events, bytes: msg.bytes, idleMs: msg.idleMs, sinkCpuUs: msg.cpuUs, sample: msg.sample })
    }
    sink.on('message', onSink)

    const timeoutMs = 60_000 + settings.events / 10
    return await new Promise((resolve) => {
      let outcome
      const timer = setTimeout(() => { outcome ??= { error: `no result within ${timeoutMs} ms` }; child.kill('SIGKILL') }, timeoutMs)
      child.on('message', (msg) => {
        if (msg.type === 'logged') sink.send({ type: 'logged', runId, idleMs: settings.idleMs })
        else if (msg.type === 'result') outcome ??= { result: msg.result }
        else if (msg.type === 'error') outcome ??= { error: msg.message }
      })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        sink.off('message', onSink)
        resolve(outcome ?? { error: `exited with ${signal ?? code} before reporting` })
      })
    })
  } finally {
    rmSync(tmpDir, { recursive: true, force: true })
  }
}

function progressLine (round, rounds, id, outcome) {
  const head = `round ${round}/${rounds}  ${id.padEnd(28)}`
  if (outcome.error !== undefined) return `${head}  FAILED: ${outcome.error.split('\n')[0]}`
  const f = derive(outcome.result)
  const stats = outcome.result.libraryStats
  const trouble = stats !== undefined && (stats.failedSends > 0 || stats.dropped > 0)
    ? `  (${stats.failedSends} failed sends, ${stats.dropped} dropped${stats.lastError === undefined ? '' : `: ${stats.lastError}`})`
    : ''
  return `${head}  main CPU ${f.mainCpuPerEvent.toFixed(2)} us/ev  ${Math.round(f.eventsPerSecond).toLocaleString('en-US')} ev/s  peak RSS ${f.peakRss.toFixed(1)} MiB  lost ${f.lost}  sent ${Math.round(outcome.result.elapsedMs - outcome.result.loggedMs)} ms after the last call${trouble}`
}

async function main () {
  if (typeof process.threadCpuUsage !== 'function') {
    console.error(`process.threadCpuUsage() needs Node >= 23.9; this is ${process.version}. Run it with \`npm run bench\`.`)
    process.exit(2)
  }
  const settings = options()
  settings.profileDir = path.resolve(__dirname, '..', '.bench', 'profiles')
  if (settings.cpuProf) mkdirSync(settings.profileDir, { recursive: true })
  const cpus = os.cpus()
  console.log(`node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  console.log(`${settings.events.toLocaleString('en-US')} events per run, ${settings.chunk} per event-loop turn, ${settings.rounds} rounds, contenders: ${settings.contenders.map((c) => c.id).join(', ')}\n`)

  const { sink, ports } = await startSink()
  const runs = []
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      // Rotate the order each round so no contender always runs first (or after the same one).
      const shift = (round - 1) % settings.contenders.length
      const order = [...settings.contenders.slice(shift), ...settings.contenders.slice(0, shift)]
      for (const contender of order) {
        const outcome = await runOne(settings, sink, ports, contender, round)
        runs.push({ id: contender.id, round, ...outcome })
        console.log(progressLine(round, settings.rounds, contender.id, outcome))
      }
    }
  } finally {
    sink.removeAllListeners('exit')
    sink.send({ type: 'exit' })
  }

  const rows = summarise(settings.contenders, runs)
  console.log(`\nmedians of ${settings.rounds} rounds, ${settings.events.toLocaleString('en-US')} events each; x base = ratio to the baseline's median (ok/NO: the issue's target)\n`)
  console.log(table(rows))
  const targets = targetSummary(rows)
  if (targets !== '') console.log('\n' + targets)
  const transports = transportSummary(settings.contenders, runs)
  if (transports !== '') console.log('\n' + transports)
  const peers = peerSummary(runs)
  if (peers !== '') console.log('\n' + peers)
  console.log(`\nload average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)

  if (settings.samples) {
    console.log('\nfirst line written by each contender:')
    for (const contender of settings.contenders) {
      const sample = runs.find((r) => r.id === contender.id && r.result?.sample)?.result.sample
      console.log(`\n${contender.id}:\n${sample ?? '(none)'}`)
    }
  }
  if (settings.json !== undefined) {
    writeFileSync(settings.json, JSON.stringify({ settings: { ...settings, contenders: settings.contenders.map((c) => c.id) }, node: process.version, runs }, null, 2))
    console.log(`\nraw figures written to ${settings.json}`)
  }
  if (settings.cpuProf) console.log(`\nCPU profiles in ${settings.profileDir} (summarise one with: npx node bench/profile-summary.js FILE)`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
