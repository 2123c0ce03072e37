import type { AddressInfo } from 'node:net'
import type { TlsOptions } from 'node:tls'

/** The four Logstash inputs, one per transport. */
export type InputName = 'tcp' | 'udp' | 'beats' | 'http'
/** Every input, in the order they are started and reported. */
export const INPUT_NAMES: readonly InputName[] = Object.freeze(['tcp', 'udp', 'beats', 'http'])

/** Where inputs report what they received. */
export interface InputSink {
  /** One event, parsed. */
  event (input: InputName, event: Record<string, unknown>): void
  /** Something that is not an event: kept out of the output, counted and shown on stderr. */
  invalid (input: InputName, reason: string, sample: string): void
}

/** What one input listens on and reports to. */
export interface InputOptions {
  host: string
  port: number
  /** Server TLS options (cert, key, ...); for tcp, beats and http. */
  tls?: TlsOptions | undefined
  sink: InputSink
}

/** A listening input. */
export interface Input {
  readonly name: InputName
  readonly address: AddressInfo
  /** Stops listening and drops open connections. */
  close (): Promise<void>
}

/** Parses one event: a JSON object, nothing else. */
export function parseEvent (input: InputName, text: string, sink: InputSink): void {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    sink.invalid(input, `not JSON (${(err as Error).message})`, text)
    return
  }
  acceptEvent(input, value, sink)
}

/** Reports `value` as an event when it is a JSON object, else as invalid. */
export function acceptEvent (input: InputName, value: unknown, sink: InputSink): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sink.invalid(input, 'not a JSON object', JSON.stringify(value) ?? String(value))
    return
  }
  sink.event(input, value as Record<string, unknown>)
}
