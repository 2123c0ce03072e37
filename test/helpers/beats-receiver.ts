import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import { inflateSync } from 'node:zlib'
import { waitFor } from './wait'

/**
 * What the receiver does once a window is complete:
 * - `ack`: `2A <count>` at once (the default); with `splitMs`, its first 3 bytes, then the
 *   other 3 that much later (an ACK split across TCP segments);
 * - `keepAlive`: `2A 0` `times` times, `intervalMs` apart, then `2A <count>` (a busy Logstash);
 * - `partial`: `2A <acked>`, then nothing;
 * - `silent`: never acknowledge;
 * - `close`: close the connection without acknowledging;
 * - `kill`: die without acknowledging: stop listening and drop every connection.
 */
export type WindowAction =
  | { kind: 'ack', splitMs?: number }
  | { kind: 'keepAlive', times: number, intervalMs: number }
  | { kind: 'partial', acked: number }
  | { kind: 'silent' }
  | { kind: 'close' }
  | { kind: 'kill' }

/** One complete window as it arrived. */
export interface ReceivedWindow {
  /** The count of its `2W` frame. */
  count: number
  /** Whether its data came in a `2C` frame. */
  compressed: boolean
  seqs: number[]
  /** The `2J` payloads, as received. */
  payloads: string[]
  /** Which connection (1-based, in accept order) it came on. */
  connection: number
  action: WindowAction['kind']
}

interface OpenWindow { count: number, compressed: boolean, seqs: number[], payloads: string[] }

const V2 = 0x32

/**
 * A Logstash beats input on loopback, written from the Lumberjack v2 protocol: parses `2W`,
 * `2C` (zlib, inflated) and `2J` frames, checks that every window's sequence numbers run
 * 1..count, and acknowledges each window with its count, unless `plan()` says otherwise.
 * Protocol violations are kept in `errors` (a test asserts there are none).
 */
export class BeatsReceiver {
  readonly windows: ReceivedWindow[] = []
  /** Every payload received, acknowledged or not (resent windows appear twice). */
  readonly received: string[] = []
  /** The payloads the receiver acknowledged, in order: what Logstash has for sure. */
  readonly acked: string[] = []
  readonly errors: string[] = []
  readonly sockets = new Set<Socket>()
  connections = 0
  readonly #plan: WindowAction[] = []
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #tls: TlsOptions | undefined
  #server: Server | undefined
  #port = 0

  private constructor (tls: TlsOptions | undefined) {
    this.#tls = tls
  }

  static async start (options: { tls?: TlsOptions } = {}): Promise<BeatsReceiver> {
    const receiver = new BeatsReceiver(options.tls)
    await receiver.listen(0)
    return receiver
  }

  get port (): number { return this.#port }
  get host (): string { return '127.0.0.1' }

  /** The acknowledged payloads, parsed. */
  get events (): Record<string, unknown>[] {
    return this.acked.map((p) => JSON.parse(p) as Record<string, unknown>)
  }

  /** While set, windows after the planned ones get this action instead of an ACK. */
  otherwise: WindowAction = { kind: 'ack' }

  /** What to do with the next windows, in order; after these, windows are acknowledged. */
  plan (...actions: WindowAction[]): void {
    this.#plan.push(...actions)
  }

  /** (Re)starts listening, on the previous port unless told otherwise. */
  async listen (port = this.#port): Promise<void> {
    const server = this.#tls === undefined
      ? createNetServer((socket) => this.#accept(socket))
      : createTlsServer(this.#tls, (socket) => this.#accept(socket))
    server.on('tlsClientError', () => {})
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, this.host, () => { server.off('error', reject); resolve() })
    })
    this.#server = server
    this.#port = (server.address() as AddressInfo).port
  }

  /** Closes every open connection but keeps listening (as Logstash does to idle clients). */
  dropConnections (): void {
    for (const socket of this.sockets) socket.destroy()
  }

  /** Stops listening (connections are refused from now on) and drops every connection. */
  async kill (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    this.dropConnections()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  close (): Promise<void> {
    return this.kill()
  }

  /** Waits until at least `count` payloads were acknowledged. */
  async waitForAcked (count: number, timeoutMs = 10_000): Promise<string[]> {
    await waitFor(() => this.acked.length >= count, { timeoutMs, message: () => `${count} acknowledged events (got ${this.acked.length})` })
    return this.acked
  }

  #accept (socket: Socket): void {
    // As Logstash's beats input (Netty sets TCP_NODELAY): ACKs go out at once.
    socket.setNoDelay(true)
    const connection = ++this.connections
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
    let buffered: Buffer = Buffer.alloc(0)
    let window: OpenWindow | undefined
    const violation = (message: string): void => {
      this.errors.push(`connection ${connection}: ${message}`)
      socket.destroy()
    }
    const onFrame = (frame: Frame): void => {
      if (frame.type === 'W') {
        if (window !== undefined) violation(`2W before the previous window was complete (${window.payloads.length} of ${window.count})`)
        window = { count: frame.count, compressed: false, seqs: [], payloads: [] }
        if (frame.count === 0) violation('2W with count 0')
        return
      }
      if (window === undefined) { violation(`2${frame.type} outside a window`); return }
      if (frame.type === 'C') {
        window.compressed = true
        let inner: Buffer
        try {
          inner = inflateSync(frame.data)
        } catch (err) {
          violation(`2C frame does not inflate: ${(err as Error).message}`)
          return
        }
        const consumed = parseFrames(inner, (f) => {
          if (f.type !== 'J') violation(`2${f.type} inside a 2C frame`)
          else onFrame(f)
        }, violation)
        if (consumed !== inner.length) violation('2C frame ends inside a frame')
        return
      }
      window.seqs.push(frame.seq)
      window.payloads.push(frame.payload)
      if (frame.seq !== window.seqs.length) violation(`seq ${frame.seq} where ${window.seqs.length} was due`)
      if (window.payloads.length === window.count) {
        const complete = window
        window = undefined
        this.#complete(socket, connection, complete)
      }
    }
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      const consumed = parseFrames(buffered, onFrame, violation)
      buffered = buffered.subarray(consumed)
    })
  }

  #complete (socket: Socket, connection: number, window: OpenWindow): void {
    const action = this.#plan.shift() ?? this.otherwise
    this.windows.push({ ...window, connection, action: action.kind })
    this.received.push(...window.payloads)
    const ack = (seq: number, splitMs?: number): void => {
      if (socket.destroyed) return
      const frame = Buffer.from([V2, 0x41, 0, 0, 0, 0])
      frame.writeUInt32BE(seq, 2)
      if (splitMs === undefined) {
        socket.write(frame)
      } else {
        socket.write(frame.subarray(0, 3))
        this.#after(splitMs, () => { if (!socket.destroyed) socket.write(frame.subarray(3)) })
      }
      if (seq === window.count) this.acked.push(...window.payloads)
      else if (seq > 0) this.acked.push(...window.payloads.slice(0, seq))
    }
    switch (action.kind) {
      case 'ack': ack(window.count, action.splitMs); break
      case 'partial': ack(action.acked); break
      case 'silent': break
      case 'close': socket.destroy(); break
      case 'kill': void this.kill(); break
      case 'keepAlive': {
        let left = action.times
        const tick = (): void => {
          if (left-- > 0) { ack(0); this.#after(action.intervalMs, tick) } else ack(window.count)
        }
        tick()
        break
      }
    }
  }

  #after (ms: number, fn: () => void): void {
    const timer = setTimeout(() => { this.#timers.delete(timer); fn() }, ms)
    this.#timers.add(timer)
  }
}

type Frame =
  | { type: 'W', count: number }
  | { type: 'J', seq: number, payload: string }
  | { type: 'C', data: Buffer }

/** Calls `onFrame` for each complete frame in `buffer`; returns how many bytes it used. */
function parseFrames (buffer: Buffer, onFrame: (frame: Frame) => void, violation: (m: string) => void): number {
  let offset = 0
  while (buffer.length - offset >= 2) {
    const version = buffer[offset]
    const type = String.fromCharCode(buffer[offset + 1] as number)
    if (version !== V2) { violation(`protocol version byte 0x${version?.toString(16)}, expected '2'`); return buffer.length }
    const left = buffer.length - offset
    if (type === 'W') {
      if (left < 6) break
      onFrame({ type: 'W', count: buffer.readUInt32BE(offset + 2) })
      offset += 6
    } else if (type === 'J') {
      if (left < 10) break
      const length = buffer.readUInt32BE(offset + 6)
      if (left < 10 + length) break
      onFrame({ type: 'J', seq: buffer.readUInt32BE(offset + 2), payload: buffer.toString('utf8', offset + 10, offset + 10 + length) })
      offset += 10 + length
    } else if (type === 'C') {
      if (left < 6) break
      const length = buffer.readUInt32BE(offset + 2)
      if (left < 6 + length) break
      onFrame({ type: 'C', data: buffer.subarray(offset + 6, offset + 6 + length) })
      offset += 6 + length
    } else {
      violation(`unknown frame type '${type}'`)
      return buffer.length
    }
  }
  return offset
}
