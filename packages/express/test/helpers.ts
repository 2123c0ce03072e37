import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import express4 from 'express4'
import { LogstashHandler, requestContext, type LogRecord, type LogSink, type RequestContext } from '@logstash-async/core'
import { TcpReceiver } from '../../../test/helpers/tcp-receiver'
import { waitFor } from '../../../test/helpers/wait'

/** Both supported majors: every behaviour is checked on each. */
export const FRAMEWORKS: ReadonlyArray<{ name: string, major: number, express: typeof express5 }> = [
  { name: 'Express 5', major: 5, express: express5 },
  { name: 'Express 4', major: 4, express: express4 }
]

export type LogstashEvent = Record<string, unknown> & { message: string, level: string, extra: Record<string, unknown> }

/** A real LogstashHandler sending to a loopback Logstash tcp input. */
export class Pipeline {
  readonly receiver: TcpReceiver
  readonly handler: LogstashHandler

  private constructor (receiver: TcpReceiver) {
    this.receiver = receiver
    this.handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, flushIntervalMs: 5, onError: () => {} })
  }

  static async start (): Promise<Pipeline> {
    return new Pipeline(await TcpReceiver.start())
  }

  get events (): LogstashEvent[] {
    return this.receiver.events as LogstashEvent[]
  }

  /** The first event matching `predicate`, once it arrived. */
  async event (predicate: (event: LogstashEvent) => boolean, what = 'a matching event'): Promise<LogstashEvent> {
    await waitFor(() => this.events.some(predicate), { timeoutMs: 5000, message: () => `${what}; got ${JSON.stringify(this.events.map((e) => e.message))}` })
    return this.events.find(predicate) as LogstashEvent
  }

  /** The event whose message is `message`. */
  async message (message: string): Promise<LogstashEvent> {
    return this.event((e) => e.message === message, `the event '${message}'`)
  }

  /** The access event of the request whose id is `requestId`. */
  async access (requestId?: string): Promise<LogstashEvent> {
    return this.event((e) => e.extra.duration_ms !== undefined && (requestId === undefined || e.extra.request_id === requestId), 'an access event')
  }

  /** Waits until everything logged so far is delivered, then returns every event. */
  async settled (): Promise<LogstashEvent[]> {
    await this.handler.flush()
    return this.events
  }

  async close (): Promise<void> {
    await this.handler.close()
    await this.receiver.close()
  }
}

/** Records what a formatter would receive: the record and the active request context. */
export class CaptureSink implements LogSink {
  readonly entries: Array<{ record: LogRecord, context: RequestContext | undefined, user: string | undefined }> = []

  log (record: LogRecord): void {
    const context = requestContext.get()
    this.entries.push({ record, context, user: context?.user })
  }

  get records (): LogRecord[] {
    return this.entries.map((e) => e.record)
  }
}

/** Listens on 127.0.0.1, port 0; resolves with the server and its base URL. */
export async function listen (app: { listen: (port: number, host: string, cb: () => void) => Server }): Promise<{ server: Server, url: string }> {
  let server!: Server
  await new Promise<void>((resolve) => { server = app.listen(0, '127.0.0.1', resolve) })
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

export async function closeServer (server: Server | undefined): Promise<void> {
  if (server === undefined || !server.listening) return
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** A promise with its resolve function outside, for barriers between requests. */
export function deferred<T = void> (): { promise: Promise<T>, resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => { resolve = r })
  return { promise, resolve }
}

/** The request id a response echoed (fails the test when there is none). */
export function idOf (response: { headers: Record<string, string | string[] | undefined> }, header = 'x-request-id'): string {
  const id = response.headers[header]
  if (typeof id !== 'string') throw new Error(`the response has no ${header} header`)
  return id
}
