import { parentPort, workerData } from 'node:worker_threads'
import { transferables } from './event-packing'
import type { Reply, Report, Request, ThreadMessage, ThreadOptions } from './thread-protocol'
import { ThreadWriter, StoppedError } from './thread-writer'

/*
 * The SQLite cache's thread: every statement runs here, so neither the work nor a wait for
 * another process's lock (busy timeout) nor a WAL checkpoint blocks the application.
 */

const port = parentPort
if (port === null) throw new Error('thread-main.js runs as a worker thread of SqliteCache')
const options = workerData as ThreadOptions
const stop = new Int32Array(options.stop)
const post = (message: ThreadMessage): void => port.postMessage(message)
// Rows read back from the file travel as transferred buffers.
const reply = (message: Reply): void => port.postMessage(message, message.claimed?.events === undefined ? [] : transferables(message.claimed.events))

const writer = new ThreadWriter({
  ...options,
  report: (code, message, dropped) => post({ op: 'report', code, message, ...(dropped === undefined ? {} : { dropped }) }),
  stopped: () => Atomics.load(stop, 0) === 1,
  recover: true
})
post({ op: 'ready', state: writer.state(), newestId: writer.newestIdAtOpen })

port.on('message', (request: Request) => {
  try {
    switch (request.op) {
      case 'write': reply(writer.write(request)); break
      case 'expire': reply(writer.expire(request.id, request.cutoff)); break
      case 'state': reply({ op: 'reply', id: request.id, state: writer.state() }); break
      case 'close': {
        const lost = writer.final(request.final, request.vacuum)
        post({ op: 'reply', id: request.id, state: writer.state(), lost })
        port.close()
        break
      }
    }
  } catch (err) {
    // The process is exiting and the main thread writes the rest itself: stay silent.
    if (err instanceof StoppedError) return
    const report: Report = { op: 'report', code: 'LOGSTASH_CACHE', message: `SQLite cache ${options.path}: ${request.op} failed: ${(err as Error)?.message ?? String(err)}` }
    post(report)
    post({ op: 'reply', id: request.id, state: writer.state() })
  }
})
