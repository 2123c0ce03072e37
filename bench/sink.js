'use strict'

// The sink, in its own process: one server per protocol on 127.0.0.1 (TCP JSON lines, Beats,
// HTTP; see sinks/; three TCP ones, for contenders with several hosts), each on its own port and accepting any number of connections, all
// counting events and bytes into the same run. The runner "arms" it before each run with
// the number of events to expect; it answers `complete` as soon as it has them all, or
// `settled` when no byte has arrived for `idleMs` after the runner said the contender has
// logged.

const { createTcpSink } = require('./sinks/tcp')
const { createBeatsSink } = require('./sinks/beats')
const { createHttpSink } = require('./sinks/http')

let run = null
const sockets = new Set()

/** What a protocol's sink reports to; calls outside a run count nothing. */
const counter = {
  /** Longest sample kept, in bytes. */
  SAMPLE_MAX: 4096,
  /** Whether the run still wants its first event as the sample. */
  get wantsSample () {
    return run !== null && run.sample === null
  },
  /** `bytes` arrived (as read from the socket, or an HTTP body's bytes). */
  received (bytes) {
    if (run === null) return
    run.bytes += bytes
    run.lastDataAt = Date.now()
  },
  /** `events` complete events arrived. */
  counted (events) {
    if (run === null) return
    run.events += events
    if (run.events >= run.expected && !run.reported) report('complete')
  },
  /** The first event of the run, as text: the runner shows what each contender writes. */
  sample (text) {
    if (run !== null && run.sample === null) run.sample = text
  }
}

// `tcp-2` and `tcp-3`: more TCP servers for the contenders with several hosts.
const servers = {
  tcp: createTcpSink(counter),
  'tcp-2': createTcpSink(counter),
  'tcp-3': createTcpSink(counter),
  beats: createBeatsSink(counter),
  http: createHttpSink(counter)
}
for (const server of Object.values(servers)) {
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  })
}

function report (type) {
  run.reported = true
  clearInterval(run.watch)
  const now = Date.now()
  process.send({
    type,
    runId: run.id,
    events: run.events,
    bytes: run.bytes,
    idleMs: run.lastDataAt === 0 ? 0 : now - run.lastDataAt,
    cpuUs: cpuUs(process.cpuUsage(run.cpu)),
    sample: run.sample
  })
}

process.on('message', (msg) => {
  if (msg.type === 'arm') {
    // Connections of an earlier run must not add to this one.
    for (const socket of sockets) socket.destroy()
    if (run !== null) clearInterval(run.watch)
    run = { id: msg.runId, expected: msg.expected, events: 0, bytes: 0, lastDataAt: 0, sample: null, reported: false, watch: undefined, cpu: process.cpuUsage() }
    process.send({ type: 'armed', runId: msg.runId })
  } else if (msg.type === 'logged' && run !== null && run.id === msg.runId && !run.reported) {
    const idleMs = msg.idleMs
    run.lastDataAt ||= Date.now()
    run.watch = setInterval(() => {
      if (Date.now() - run.lastDataAt >= idleMs) report('settled')
    }, Math.min(250, idleMs))
  } else if (msg.type === 'exit') {
    for (const socket of sockets) socket.destroy()
    Promise.all(Object.values(servers).map((server) => new Promise((resolve) => server.close(resolve))))
      .then(() => process.exit(0))
  }
})

function cpuUs ({ user, system }) {
  return user + system
}

function listen (server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server.address().port))
  })
}

process.on('disconnect', () => process.exit(0))

Promise.all(Object.entries(servers).map(async ([protocol, server]) => [protocol, await listen(server)]))
  .then((ports) => process.send({ type: 'listening', ports: Object.fromEntries(ports) }))
  .catch((err) => {
    console.error(`sink: cannot listen: ${err.message}`)
    process.exit(1)
  })
