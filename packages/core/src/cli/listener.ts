import type { TlsOptions } from 'node:tls'
import { startBeatsInput } from './inputs/beats'
import { startHttpInput } from './inputs/http'
import { startTcpInput } from './inputs/tcp'
import { INPUT_NAMES, type Input, type InputName, type InputSink } from './inputs/types'
import { startUdpInput } from './inputs/udp'

/** What `Listener.start()` listens on and where it reports. */
export interface ListenerOptions {
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /** Port per input; an input without a port is not started; 0 picks a free port. */
  ports: Partial<Record<InputName, number>>
  /** Server TLS for tcp, beats and http. */
  tls?: TlsOptions
  /** Receives each event, in the order each input received them. */
  onEvent: (event: Record<string, unknown>, input: InputName) => void
  /** Receives what is not an event (bad JSON, a protocol error). @default ignored */
  onInvalid?: (input: InputName, reason: string, sample: string) => void
}

const STARTERS = { tcp: startTcpInput, udp: startUdpInput, beats: startBeatsInput, http: startHttpInput }

interface Tally { counts: Record<InputName, number>, invalid: number }

/** A local stand-in for Logstash: the inputs the logstash-async transports send to. */
export class Listener {
  readonly inputs: readonly Input[]
  readonly #tally: Tally

  private constructor (inputs: Input[], tally: Tally) {
    this.inputs = inputs
    this.#tally = tally
  }

  /** Starts every input that has a port; if one fails to listen, the others are closed. */
  static async start (options: ListenerOptions): Promise<Listener> {
    const tally: Tally = { counts: { tcp: 0, udp: 0, beats: 0, http: 0 }, invalid: 0 }
    const sink: InputSink = {
      event (input, event) {
        tally.counts[input]++
        options.onEvent(event, input)
      },
      invalid (input, reason, sample) {
        tally.invalid++
        options.onInvalid?.(input, reason, sample)
      }
    }
    const host = options.host ?? '127.0.0.1'
    const started: Input[] = []
    try {
      for (const name of INPUT_NAMES) {
        const port = options.ports[name]
        if (port === undefined) continue
        const tls = name === 'udp' ? undefined : options.tls
        started.push(await STARTERS[name]({ host, port, tls, sink }))
      }
    } catch (err) {
      await Promise.all(started.map((input) => input.close()))
      throw err
    }
    return new Listener(started, tally)
  }

  /** Events received, per input. */
  get counts (): Readonly<Record<InputName, number>> {
    return { ...this.#tally.counts }
  }

  /** Events received by all inputs. */
  get total (): number {
    return Object.values(this.#tally.counts).reduce((a, b) => a + b, 0)
  }

  /** Things received that were not events. */
  get invalid (): number {
    return this.#tally.invalid
  }

  /** The port an input listens on. */
  port (name: InputName): number | undefined {
    return this.inputs.find((input) => input.name === name)?.address.port
  }

  async close (): Promise<void> {
    await Promise.all(this.inputs.map((input) => input.close()))
  }
}
