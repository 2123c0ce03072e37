'use strict'
// `npm run demo` (from the repository root, after `npm ci`): starts `logstash-async listen`,
// starts this example against it, sends a GET, a JSON POST and a request that throws,
// prints the events as they arrive, checks that every expected event came, and exits 0.
// Every port is picked free (0), every wait is bounded, and both processes are stopped.
const { spawn } = require('node:child_process')
const { join } = require('node:path')
const { createInterface } = require('node:readline')

const ROOT = join(__dirname, '..', '..')
const CLI = join(ROOT, 'packages', 'core', 'dist', 'cli', 'main.js')
const { createPrinter } = require(join(ROOT, 'packages', 'core', 'dist', 'cli', 'printer.js'))
const SERVER = join(__dirname, 'server.js')
const STEP_TIMEOUT_MS = 15_000
const color = process.stdout.isTTY === true && !process.env.NO_COLOR
const print = createPrinter({ pretty: true, color })

const children = new Set()

main().then(
  () => { process.exitCode = 0 },
  (err) => {
    console.error(`\ndemo failed: ${err.message}`)
    for (const child of children) if (child.tail) console.error(`--- ${child.label} stderr ---\n${child.tail.join('\n')}`)
    process.exitCode = 1
  }
).finally(() => {
  for (const child of children) child.process.kill('SIGKILL')
})

async function main () {
  say('starting the listener: logstash-async listen --tcp 0')
  const listener = start('listener', [CLI, 'listen', '--tcp', '0'])
  const events = []
  listener.onStdoutLine((line) => {
    const event = JSON.parse(line)
    events.push(event)
    process.stdout.write(print(event, 'tcp'))
  })
  const [, logstashPort] = await listener.stderrLine(/^listening: tcp \S+:(\d+)$/)

  say(`starting examples/express-basic with LOGSTASH_PORT=${logstashPort}`)
  const app = start('app', [SERVER], { PORT: '0', HOST: '127.0.0.1', LOGSTASH_HOST: '127.0.0.1', LOGSTASH_PORT: logstashPort, LOGSTASH_TRANSPORT: 'tcp' })
  const [, base] = await app.stdoutLine(/listening on (http:\/\/\S+)/)

  // One request at a time, each followed by its events as the listener prints them.
  const get = await send('GET', `${base}/orders/42`, undefined, 200)
  await expect(events, [
    ['the GET\'s "order read" event', (e) => e.message === 'order read' && e.extra.request_id === get && e.extra.req_route === '/orders/:id'],
    ['the GET\'s access event', (e) => /^GET \/orders\/42 200 /.test(e.message) && e.extra.request_id === get]
  ])
  const post = await send('POST', `${base}/orders`, { item: 'coffee', quantity: 1 }, 201)
  await expect(events, [
    ['the POST\'s "order placed" event', (e) => e.message === 'order placed' && e.extra.request_id === post && e.extra.item === 'coffee'],
    ['the POST\'s access event', (e) => /^POST \/orders 201 /.test(e.message) && e.extra.request_id === post]
  ])
  const fail = await send('GET', `${base}/fail`, undefined, 500)
  await expect(events, [
    ['the error event of /fail', (e) => e.extra.request_id === fail && e.extra.error_type === 'Error' && e.extra.status_code === 500 && /Caused by: Error: connect ECONNREFUSED/.test(e.extra.stack_trace)],
    ['the access event of /fail', (e) => /^GET \/fail 500 /.test(e.message) && e.extra.request_id === fail]
  ])
  const errorEvents = events.filter((e) => e.extra.request_id === fail && e.extra.stack_trace !== undefined)
  if (errorEvents.length !== 1) throw new Error(`expected one error event for /fail, got ${errorEvents.length}`)

  say('stopping the app (SIGTERM): it closes its server, then awaits handler.close()')
  app.process.kill('SIGTERM')
  const appExit = await app.exited
  if (appExit !== 0) throw new Error(`the app exited with ${appExit}`)
  await until(() => events.some((e) => e.message === 'shutting down'), () => 'the app\'s "shutting down" event')

  say('stopping the listener (SIGTERM)')
  listener.process.kill('SIGTERM')
  const [summary] = await listener.stderrLine(/^received \d+ events?.*$/)
  const listenerExit = await listener.exited
  if (listenerExit !== 0) throw new Error(`the listener exited with ${listenerExit}`)
  say(`listener: ${summary}`)
  say(`demo ok: ${events.length} events, each with its request's fields`)
}

/** Waits until an event matches each expectation; names the missing ones on timeout. */
function expect (events, expectations) {
  return until(() => expectations.every(([, test]) => events.some(test)),
    () => `events: missing ${expectations.filter(([, test]) => !events.some(test)).map(([what]) => what).join(', ')}`)
}

/** Sends one request and checks its status; returns the request id the app echoed. */
async function send (method, url, body, status) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS)
  })
  await response.text()
  const id = response.headers.get('x-request-id')
  say(`${method} ${new URL(url).pathname} → ${response.status}, x-request-id ${id}`)
  if (response.status !== status) throw new Error(`${method} ${url} answered ${response.status}, expected ${status}`)
  return id
}

/** A child process with its output read line by line. */
function start (label, args, env = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } })
  const entry = { label, process: child, tail: [] }
  children.add(entry)
  const stdoutLines = []
  const stderrLines = []
  const waiters = []
  const stdoutListeners = []
  const feed = (lines, line, stream) => {
    lines.push(line)
    if (stream === 'stderr') entry.tail = [...entry.tail.slice(-20), line]
    for (const waiter of [...waiters]) waiter(line, stream)
  }
  createInterface({ input: child.stdout }).on('line', (line) => {
    feed(stdoutLines, line, 'stdout')
    for (const listener of stdoutListeners) listener(line)
  })
  createInterface({ input: child.stderr }).on('line', (line) => feed(stderrLines, line, 'stderr'))
  const exited = new Promise((resolve) => child.on('exit', (code) => { children.delete(entry); resolve(code) }))
  const lineMatching = (stream, pattern) => {
    const seen = (stream === 'stdout' ? stdoutLines : stderrLines).map((line) => pattern.exec(line)).find(Boolean)
    if (seen) return Promise.resolve(seen)
    return bounded(new Promise((resolve, reject) => {
      const waiter = (line, from) => {
        const match = from === stream && pattern.exec(line)
        if (match) { waiters.splice(waiters.indexOf(waiter), 1); resolve(match) }
      }
      waiters.push(waiter)
      void exited.then((code) => reject(new Error(`${label} exited (${code}) before printing ${pattern}`)))
    }), `${label} to print ${pattern}`)
  }
  return {
    process: child,
    exited: bounded(exited, `${label} to exit`),
    onStdoutLine: (listener) => stdoutListeners.push(listener),
    stdoutLine: (pattern) => lineMatching('stdout', pattern),
    stderrLine: (pattern) => lineMatching('stderr', pattern)
  }
}

function bounded (promise, what) {
  let timer
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${STEP_TIMEOUT_MS} ms waiting for ${what}`)), STEP_TIMEOUT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function until (condition, what) {
  const deadline = Date.now() + STEP_TIMEOUT_MS
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${STEP_TIMEOUT_MS} ms waiting for ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function say (text) {
  process.stdout.write(color ? `\u001b[1m== ${text}\u001b[0m\n` : `== ${text}\n`)
}
