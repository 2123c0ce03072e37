'use strict'

// The TCP sink, in its own process: accepts any number of connections on 127.0.0.1 and
// counts newline-terminated lines and bytes. The runner "arms" it before each run with the
// number of lines to expect; it answers `complete` as soon as it has them all, or `settled`
// when no byte has arrived for `idleMs` after the runner said the contender has logged.

const net = require('node:net')

const NEWLINE = 10
const SAMPLE_MAX = 4096

let run = null
const sockets = new Set()

const server = net.createServer((socket) => {
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
  socket.on('error', () => {})
  socket.on('data', onData)
})

function onData (chunk) {
  if (run === null) return
  run.bytes += chunk.length
  run.lastDataAt = Date.now()
  let at = chunk.indexOf(NEWLINE)
  if (run.sample === null) keepSample(chunk)
  while (at !== -1) {
    run.lines++
    at = chunk.indexOf(NEWLINE, at + 1)
  }
  if (run.lines >= run.expected && !run.reported) report('complete')
}

// The first line of the run (up to SAMPLE_MAX bytes), so the runner can show what each
// contender writes.
function keepSample (chunk) {
  run.partial = Buffer.concat([run.partial, chunk.subarray(0, SAMPLE_MAX)])
  const end = run.partial.indexOf(NEWLINE)
  if (end !== -1 || run.partial.length >= SAMPLE_MAX) {
    run.sample = run.partial.subarray(0, end === -1 ? SAMPLE_MAX : end).toString('utf8')
    run.partial = Buffer.alloc(0)
  }
}

function report (type) {
  run.reported = true
  clearInterval(run.watch)
  const now = Date.now()
  process.send({
    type,
    runId: run.id,
    lines: run.lines,
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
    run = { id: msg.runId, expected: msg.expected, lines: 0, bytes: 0, lastDataAt: 0, sample: null, partial: Buffer.alloc(0), reported: false, watch: undefined, cpu: process.cpuUsage() }
    process.send({ type: 'armed', runId: msg.runId })
  } else if (msg.type === 'logged' && run !== null && run.id === msg.runId && !run.reported) {
    const idleMs = msg.idleMs
    run.lastDataAt ||= Date.now()
    run.watch = setInterval(() => {
      if (Date.now() - run.lastDataAt >= idleMs) report('settled')
    }, Math.min(250, idleMs))
  } else if (msg.type === 'exit') {
    for (const socket of sockets) socket.destroy()
    server.close(() => process.exit(0))
  }
})

function cpuUs ({ user, system }) {
  return user + system
}

process.on('disconnect', () => process.exit(0))

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port })
})
