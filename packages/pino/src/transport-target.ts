import { writeSync } from 'node:fs'
import { Writable } from 'node:stream'
import { parentPort, workerData } from 'node:worker_threads'
import {
  ConfigurationError, EcsFormatter, LogstashFormatter, LogstashHandler,
  type CacheLimits, type LogstashError, type EcsFormatterOptions, type HandlerOptions, type LogstashFormatterOptions, type TransportName
} from '@logstash-async/core'
import { isPinoConfig } from './destination'
import { LineWriter } from './line'
import { resolveLineSettings, splitLineOptions, type LogstashDestinationOptions } from './options'

/**
 * The options of `pino.transport({ target: '@logstash-async/pino', options })`: our handler
 * options and the destination's, as data. They cross into pino's worker thread by
 * structured clone, so nothing in them can be a function or a class instance: a formatter
 * is chosen by `format` and `formatterOptions`, a transport by name, and `onError` and a
 * custom `Cache` or `Transport` are not available here (use `logstashDestination()` for those).
 */
export interface LogstashTransportOptions
  extends Omit<HandlerOptions, 'formatter' | 'onError' | 'transport' | 'cache'>, Omit<LogstashDestinationOptions, 'accessLevel'> {
  /** The transport, by name. @default 'tcp' */
  transport?: TransportName
  /** Bounds of the memory cache. @default { maxEvents: 100000 } */
  cache?: CacheLimits
  /** The event format: `'logstash'` (LogstashFormatter) or `'ecs'` (EcsFormatter). @default 'logstash' (or `LOGSTASH_FORMAT`) */
  format?: 'logstash' | 'ecs'
  /** Options of the formatter `format` names (data only: no `elasticApm` agent object). @default none */
  formatterOptions?: LogstashFormatterOptions | EcsFormatterOptions
  /** `false` keeps pino-http's level on response lines; no function can cross into the thread. @default by status, as our adapters */
  accessLevel?: false
  /**
   * Most time the handler spends delivering when the logger ends (`transport.end()`, process
   * exit). pino's thread-stream waits at most 10 s for the thread at exit, so the default
   * stays below it; what is left is kept in a SQLite cache or counted as dropped.
   * @default 8000
   */
  closeTimeoutMs?: number
}

// Waiting events at which a custom cache (whose bound is unknown) holds the thread back.
const DEFAULT_HIGH_WATER = 50_000
const BACKPRESSURE_POLL_MS = 5
const BACKPRESSURE_CHECK_LINES = 100

// Lines written to the handler per turn of the thread's event loop. The handler sends from
// this same loop: a chunk of pino's ring buffer (up to 4 MiB, ~15,000 lines) written in one
// go would queue every event before the first send, and a queue that long outlives the
// young generation (the burst benchmark: 2.6x the garbage collection, 480 MiB resident).
const LINES_PER_TURN = 1000

// Characters the stream takes before write() returns false. thread-stream gives pino the
// ring buffer's space back only once write() returned true (else at 'drain'); Writable's
// default, 16 KiB, is smaller than a single chunk, so the application's thread had to keep
// each burst in its own memory and copy it in again: CPU taken from the application. The
// lines wait here instead, as pino wrote them, one string per chunk. Not more memory: in a
// burst they wait somewhere, and pino's own buffer is unbounded too. Measured with the burst
// benchmark: 16 KiB 4.4 us/ev of main-thread CPU and 479 MiB peak RSS, 16 MiB 4.0-6.1 us
// and 356 MiB, 64 MiB 4.0-4.5 us (pino-socket's target: 4.0-4.3 us) and 281 MiB.
const STREAM_HIGH_WATER = 64 * 1024 * 1024

// Longest wait for pino's announcement before the thread starts reading lines.
const CONFIG_WAIT_MS = 1000

// Keys pino adds to a target's options for its own use.
const PINO_OPTION_KEYS = ['$context', 'pinoWillSendConfig']

/** The default `closeTimeoutMs` in pino's thread: below thread-stream's 10 s wait at process exit. */
export const TARGET_CLOSE_TIMEOUT_MS = 8000

/**
 * The stream pino's transport thread writes to: complete lines go to the handler, `flush(cb)`
 * (from `logger.flush(cb)`) calls back once they are delivered, and the end of the stream
 * (`transport.end()`, process exit) closes the handler, delivering within `closeTimeoutMs`.
 */
export class LogstashTargetStream extends Writable {
  readonly handler: LogstashHandler
  readonly #writer: LineWriter
  readonly #highWater: number
  #partial = ''
  /** flush() calls waiting for the lines written before them to reach the handler. */
  #flushes: Array<() => void> = []

  constructor (handler: LogstashHandler, writer: LineWriter) {
    super({ decodeStrings: false, autoDestroy: true, highWaterMark: STREAM_HIGH_WATER })
    this.handler = handler
    this.#writer = writer
    const cache = handler.options.cache
    this.#highWater = Math.max(1, Math.floor(('maxEvents' in cache ? cache.maxEvents : DEFAULT_HIGH_WATER * 2) / 2))
  }

  /** pino's announcement of its levels and keys, forwarded by the thread. */
  configure (message: unknown): void {
    if (isPinoConfig(message)) this.#writer.configure(message.config)
  }

  /**
   * Delivers what was written before it; thread-stream calls it for `logger.flush(cb)`.
   * Calls back once that is delivered, or after `closeTimeoutMs`.
   */
  flush (callback: (err?: Error) => void): void {
    let settled = false
    const finish = (err?: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const waiting = this.#flushes.indexOf(deliver)
      if (waiting !== -1) this.#flushes.splice(waiting, 1)
      callback(err)
    }
    const deliver = (): void => {
      this.handler.flush().then(() => finish(), (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))))
    }
    // Bounded as the handler's own flush, whatever holds the lines back (a receiver that
    // stopped reading keeps them in a chunk, behind the backpressure wait).
    const timer = setTimeout(() => finish(), this.handler.options.closeTimeoutMs)
    // thread-stream asks once it handed every line over, but lines handed over may still
    // wait in this stream's buffer, or in a chunk written a thousand lines per turn.
    if (this.writableLength === 0 || this.destroyed) deliver()
    else this.#flushes.push(deliver)
  }

  // Called once a chunk is written to the handler: flushes wait until no line is left.
  #chunkDone (callback: () => void): void {
    callback()
    if (this.writableLength === 0) this.#deliverWaitingFlushes()
  }

  #deliverWaitingFlushes (): void {
    const waiting = this.#flushes
    this.#flushes = []
    for (const deliver of waiting) deliver()
  }

  override _write (chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Chunks are what the ring buffer held: many lines, the last one possibly cut.
    const text = this.#partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
    this.#partial = ''
    this.#writeFrom(text, 0, callback)
  }

  /**
   * Writes the complete lines of `text` from `start`, keeping a cut last line for the next
   * chunk, `LINES_PER_TURN` at a time so that the handler sends in between. Backpressure:
   * every `BACKPRESSURE_CHECK_LINES` lines, with half the cache's bound waiting (Logstash
   * takes events more slowly than pino writes them), it stops until half of that is sent,
   * and so does the thread's reading of pino's ring buffer, rather than let the cache evict
   * the oldest events. A failed send ends the wait: in an outage the cache's bound decides
   * what is kept, not the application's memory; so does the end of the stream.
   */
  #writeFrom (text: string, start: number, callback: () => void): void {
    let lines = 0
    let end: number
    while ((end = text.indexOf('\n', start)) !== -1) {
      if (end > start) this.#writer.writeLine(text.slice(start, end))
      start = end + 1
      if (++lines % BACKPRESSURE_CHECK_LINES === 0 && this.#waiting() >= this.#highWater && !this.#shuttingDown()) {
        const failures = this.handler.stats().failedSends
        const poll = (): void => {
          if (this.destroyed) return
          if (this.#waiting() < this.#highWater / 2 || this.handler.stats().failedSends > failures || this.#shuttingDown()) this.#writeFrom(text, start, callback)
          else setTimeout(poll, BACKPRESSURE_POLL_MS)
        }
        setTimeout(poll, BACKPRESSURE_POLL_MS)
        return
      }
      if (lines === LINES_PER_TURN) {
        // A stream destroyed meanwhile writes nothing more, as after a backpressure wait.
        setImmediate(() => { if (!this.destroyed) this.#writeFrom(text, start, callback) })
        return
      }
    }
    this.#partial = text.slice(start)
    this.#chunkDone(callback)
  }

  /**
   * The logger ended (`transport.end()`, process exit): nothing is held back any more, so the
   * end keeps its `closeTimeoutMs` even when a receiver stopped reading; what the cache's
   * bound cannot keep is dropped and counted, and reported at close.
   */
  #shuttingDown (): boolean {
    return this.writableEnded || this.handler.closed
  }

  #waiting (): number {
    const { queued, inFlight } = this.handler.stats()
    return queued + inFlight
  }

  override _destroy (error: Error | null, callback: (error?: Error | null) => void): void {
    // Nothing more will be written: what reached the handler is what a flush can deliver.
    this.#deliverWaitingFlushes()
    callback(error)
  }

  override _final (callback: (error?: Error | null) => void): void {
    if (this.#partial !== '') this.#writer.writeLine(this.#partial)
    this.#partial = ''
    this.handler.close().then(() => callback(), (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))))
  }
}

/**
 * pino's transport entry point: called in pino's worker thread with the `options` given to
 * `pino.transport()`. Creates the handler there (cache, SQLite, every transport) and returns
 * the stream the thread writes pino's lines to. A wrong option throws a `ConfigurationError`,
 * which pino reports as the transport's 'error'.
 */
export async function createTargetStream (options: LogstashTransportOptions = {}): Promise<LogstashTargetStream> {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError(`@logstash-async/pino transport options must be an object, got ${String(options)}`)
  const given: Record<string, unknown> = { ...options }
  for (const key of PINO_OPTION_KEYS) delete given[key]
  const { line, rest } = splitLineOptions(given as LogstashTransportOptions)
  const { format, formatterOptions, closeTimeoutMs, ...handlerOptions } = rest
  const settings = resolveLineSettings('@logstash-async/pino transport', line)
  const handler = new LogstashHandler({
    ...handlerOptions,
    closeTimeoutMs: closeTimeoutMs ?? TARGET_CLOSE_TIMEOUT_MS,
    onError: writeErrorLineSync,
    ...(format === undefined && formatterOptions === undefined ? {} : { formatter: createFormatter(format, formatterOptions) })
  })
  const stream = new LogstashTargetStream(handler, new LineWriter(handler, settings))
  await listenForPinoConfig(stream)
  return stream
}

/**
 * The handler's reports, as the default `onError` words them, written straight to fd 2: a
 * thread's `process.stderr` goes through the main thread, which at exit is blocked waiting
 * for this thread and then gone, so the report of what could not be delivered would be lost.
 */
function writeErrorLineSync (err: LogstashError): void {
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  try {
    writeSync(2, `[logstash-async] ${err.name} (${err.code}): ${err.message}${cause}\n`)
  } catch {
    // stderr is gone: nothing sensible is left to do.
  }
}

function createFormatter (format: unknown, options: LogstashFormatterOptions | EcsFormatterOptions | undefined): LogstashFormatter | EcsFormatter {
  if (format !== undefined && format !== 'logstash' && format !== 'ecs') {
    throw new ConfigurationError(`format must be 'logstash' or 'ecs', got ${JSON.stringify(format)}`)
  }
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ConfigurationError(`formatterOptions must be an object, got ${Array.isArray(options) ? 'an array' : String(options)}`)
  }
  return format === 'ecs' ? new EcsFormatter(options as EcsFormatterOptions) : new LogstashFormatter(options as LogstashFormatterOptions)
}

/**
 * pino posts its levels and keys to the thread once the logger exists (`pinoWillSendConfig`),
 * usually before the thread has started: the message waits in the port and arrives a few
 * turns of the event loop after a listener is attached. The stream is returned (and lines
 * read) once it has, or after `CONFIG_WAIT_MS` for a logger created later, whose
 * announcement then still precedes its first line.
 */
async function listenForPinoConfig (stream: LogstashTargetStream): Promise<void> {
  const port = parentPort
  const expected = (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | undefined)?.workerData?.pinoWillSendConfig === true
  if (port === null || !expected) return
  let timer: NodeJS.Timeout | undefined
  await new Promise<void>((resolve) => {
    const onMessage = (message: unknown): void => {
      if (!isPinoConfig(message)) return
      stream.configure(message)
      port.off('message', onMessage)
      resolve()
    }
    port.on('message', onMessage)
    stream.once('close', () => port.off('message', onMessage))
    timer = setTimeout(resolve, CONFIG_WAIT_MS)
  })
  clearTimeout(timer)
}
