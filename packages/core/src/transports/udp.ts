import type * as Dgram from 'node:dgram'
import type * as Dns from 'node:dns/promises'
import { DroppedEventsError, TransportError } from '../errors'
import { lazyBuiltin } from '../lazy-builtin'
import type { SendOutcome, Transport } from '../contracts'
import { describeSocketError } from './socket-options'
import { formatHostAddress } from '../host-address'

const dgram = lazyBuiltin<typeof Dgram>('node:dgram')
const dns = lazyBuiltin<typeof Dns>('node:dns/promises')

/** Options of `UdpTransport`: the handler fills them from its options. */
export interface UdpTransportOptions {
  host: string
  port: number
}

/** The largest UDP payload over IPv4 (65535 - 8 byte UDP header - 20 byte IP header). */
export const MAX_DATAGRAM_BYTES = 65_507

/**
 * One datagram per event, the JSON followed by a newline (what Logstash's udp input with
 * the json codec expects). Delivered means handed to the kernel: UDP has no receipt. An
 * event too large for a datagram is dropped and reported: the formatter's `maxEventBytes`
 * prevents it (the handler's own formatter has it set with UDP; set it on yours).
 */
export class UdpTransport implements Transport {
  readonly #host: string
  readonly #port: number
  #socket: Promise<Dgram.Socket> | undefined
  #closed = false

  constructor (options: UdpTransportOptions) {
    this.#host = options.host
    this.#port = options.port
  }

  async send (events: readonly string[]): Promise<void | SendOutcome> {
    if (this.#closed) throw new TransportError('transport is closed', { retryable: true, code: 'LOGSTASH_CLOSED' })
    const socket = await this.#connection()
    let dropped = 0
    const sends: Promise<void>[] = []
    for (const event of events) {
      const datagram = Buffer.from(event + '\n')
      if (datagram.length > MAX_DATAGRAM_BYTES) { dropped++; continue }
      sends.push(new Promise<void>((resolve, reject) => {
        socket.send(datagram, (err) => err === null || err === undefined ? resolve() : reject(err))
      }))
    }
    const results = await Promise.allSettled(sends)
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failure !== undefined) {
      // Resend the whole batch: which datagrams made it is unknowable, and UDP receivers
      // are expected to live with the odd duplicate rather than with gaps.
      this.#reset()
      // ECONNREFUSED: the host said nothing listens on the port (ICMP), like a refused connect.
      const refused = (failure.reason as NodeJS.ErrnoException)?.code === 'ECONNREFUSED'
      throw new TransportError(`send to udp://${formatHostAddress(this.#host, this.#port)} failed: ${describeSocketError(failure.reason)}`, { retryable: true, connectFailed: refused, cause: failure.reason })
    }
    if (dropped > 0) {
      return { dropped, error: new DroppedEventsError(`${dropped} events larger than a UDP datagram (${MAX_DATAGRAM_BYTES} bytes) dropped; set maxEventBytes on the formatter`, dropped, { code: 'LOGSTASH_TOO_LARGE' }) }
    }
  }

  async close (): Promise<void> {
    this.#closed = true
    const socket = await this.#socket?.catch(() => undefined)
    this.#socket = undefined
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()))
  }

  #connection (): Promise<Dgram.Socket> {
    this.#socket ??= this.#open().catch((err: unknown) => {
      this.#socket = undefined
      throw err
    })
    return this.#socket
  }

  // A connected socket resolves the name once and learns of ICMP "port unreachable" (as
  // ECONNREFUSED on a later send) instead of losing events silently into a closed port.
  async #open (): Promise<Dgram.Socket> {
    let address: { address: string, family: number }
    try {
      address = await dns().lookup(this.#host)
    } catch (err) {
      throw new TransportError(`cannot resolve ${this.#host}: ${describeSocketError(err)}`, { retryable: true, connectFailed: true, cause: err })
    }
    const socket = dgram().createSocket(address.family === 6 ? 'udp6' : 'udp4')
    socket.on('error', () => { this.#reset() })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(this.#port, address.address, () => { socket.off('error', reject); resolve() })
    }).catch((err: unknown) => {
      socket.close()
      throw new TransportError(`cannot open udp://${formatHostAddress(this.#host, this.#port)}: ${describeSocketError(err)}`, { retryable: true, connectFailed: true, cause: err })
    })
    socket.unref()
    return socket
  }

  #reset (): void {
    const socket = this.#socket
    this.#socket = undefined
    void socket?.then((s) => { try { s.close() } catch { /* already closed */ } }, () => {})
  }
}
