'use strict'

// `npm run bench:delivery`: the delivery scenarios of issue 11 with the handler's DEFAULT
// options, too slow for the test suite (which runs them with shortened timings):
//
// - outage: the receiver is down for 60 s while the application logs 100 events a second;
//   how long after it is back does the first event arrive? (README: within
//   retry.maxReconnectDelayMs, 2 s, plus a connection)
// - stall: the receiver stops reading for 10 s (Logstash's flow control when its pipeline
//   is full) while the application logs about 20 MB/s; duplicated events, cut lines,
//   connections, failed sends.
//
// Options: --outage-s N (default 60), --stall-s N (default 10), --only outage|stall.

const net = require('node:net')
const { parseArgs } = require('node:util')
const { createLogger, LogstashHandler } = require('@logstash-async/core')

const { values } = parseArgs({
  options: {
    'outage-s': { type: 'string', default: '60' },
    'stall-s': { type: 'string', default: '10' },
    only: { type: 'string' }
  }
})

/** A JSON-lines receiver counting lines per connection, with pause/resume and kill/listen. */
class Receiver {
  constructor () {
    this.lines = []
    this.invalid = 0
    this.connections = 0
    this.sockets = new Set()
    this.paused = false
    this.port = 0
    this.server = undefined
  }

  async listen (port = 0) {
    this.server = net.createServer((socket) => {
      this.connections++
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
      socket.on('error', () => {})
      if (this.paused) socket.pause()
      let partial = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk) => {
        const parts = (partial + chunk).split('\n')
        partial = parts.pop()
        for (const line of parts) {
          try { this.lines.push(JSON.parse(line).message) } catch { this.invalid++ }
        }
      })
      // A line left without its newline at the end of a connection is a cut line.
      socket.on('end', () => { if (partial !== '') this.invalid++ })
    })
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve))
    this.port = this.server.address().port
  }

  async kill () {
    for (const socket of this.sockets) socket.destroy()
    await new Promise((resolve) => this.server.close(resolve))
  }

  pause () { this.paused = true; for (const s of this.sockets) s.pause() }
  resume () { this.paused = false; for (const s of this.sockets) s.resume() }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function until (condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(5)
  }
}

async function outage (seconds) {
  const receiver = new Receiver()
  await receiver.listen()
  const handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, onError: () => {} })
  const log = createLogger({ handler })
  let logged = 0
  const timer = setInterval(() => log.info(`e${logged++}`), 10)
  await until(() => receiver.lines.length >= 50, 10_000)
  await receiver.kill()
  console.log(`outage: receiver down for ${seconds} s (defaults: retry ${JSON.stringify(handler.options.retry)})`)
  await sleep(seconds * 1000)
  const before = receiver.lines.length
  await receiver.listen(receiver.port)
  const upAt = Date.now()
  await until(() => receiver.lines.length > before, 120_000)
  const firstAfter = Date.now() - upAt
  clearInterval(timer)
  await handler.flush()
  await until(() => receiver.lines.length >= logged, 30_000).catch(() => {})
  const stats = handler.stats()
  console.log(`outage: first event ${firstAfter} ms after the receiver was back; ${receiver.lines.length} of ${logged} delivered, ${new Set(receiver.lines).size} distinct, failedSends ${stats.failedSends}, dropped ${stats.dropped}`)
  await handler.close()
  await receiver.kill()
  return { firstAfterMs: firstAfter, logged, received: receiver.lines.length }
}

async function stall (seconds) {
  const receiver = new Receiver()
  await receiver.listen()
  const handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, onError: () => {} })
  const log = createLogger({ handler })
  const padding = 'x'.repeat(10_000)
  let logged = 0
  const timer = setInterval(() => { for (let i = 0; i < 100; i++) log.info(`e${logged++}`, { padding }) }, 50)
  await until(() => receiver.lines.length >= 200, 10_000)
  receiver.pause()
  const states = new Set()
  const watch = setInterval(() => states.add(handler.stats().hosts[0].state), 100)
  console.log(`stall: receiver stops reading for ${seconds} s (defaults: timeoutMs ${handler.options.timeoutMs})`)
  await sleep(seconds * 1000)
  receiver.resume()
  clearInterval(timer)
  clearInterval(watch)
  await handler.flush()
  await until(() => receiver.lines.length >= logged, 60_000).catch(() => {})
  const distinct = new Set(receiver.lines).size
  const inOrder = receiver.lines.every((m, i) => m === `e${i}`)
  const stats = handler.stats()
  console.log(`stall: ${receiver.lines.length} of ${logged} received, ${receiver.lines.length - distinct} duplicated, ${receiver.invalid} cut lines, in order: ${inOrder}, connections ${receiver.connections}, failedSends ${stats.failedSends}, dropped ${stats.dropped}, host states seen: ${[...states].join(', ')}`)
  await handler.close()
  await receiver.kill()
  return { logged, received: receiver.lines.length, duplicated: receiver.lines.length - distinct, cut: receiver.invalid, connections: receiver.connections }
}

async function main () {
  if (values.only === undefined || values.only === 'stall') await stall(Number(values['stall-s']))
  if (values.only === undefined || values.only === 'outage') await outage(Number(values['outage-s']))
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
