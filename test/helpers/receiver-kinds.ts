import { BeatsReceiver } from './beats-receiver'
import { testPki } from './certs'
import { HttpReceiver } from './http-receiver'
import { TcpReceiver } from './tcp-receiver'
import { waitFor } from './wait'

/**
 * One loopback receiver of any protocol, seen the same way by tests that run for each
 * transport: what it has for sure, by message, and how to make it fail.
 */
export interface AnyReceiver {
  readonly port: number
  /** The `message` of every event it has for sure (TCP: read; Beats: acknowledged; HTTP: answered 2xx), in order. */
  messages (): string[]
  /** The connection each of `messages()` came on (1-based), where the protocol tells. */
  connectionOf (): number[] | undefined
  /** Stops listening and drops every connection. */
  kill (): Promise<void>
  /** Listens again on its port. */
  listen (): Promise<void>
  /**
   * Dies at the next batch it gets, before answering (TCP: after reading what it got up to
   * `afterMessages`): the batch is not delivered, and must go elsewhere.
   */
  dieOnNextBatch (afterMessages: number): Promise<void>
  /** Takes connections but never answers (TCP: never reads) from now on. */
  neverAnswer (): void
  /** Answers (reads) again after `neverAnswer()`. */
  answerAgain (): void
  close (): Promise<void>
}

export interface ReceiverKind {
  /** The `transport` option. */
  transport: 'tcp' | 'beats' | 'http'
  /** The name tests show: the transport, `+tls` with TLS. */
  name: string
  tls: boolean
  start (): Promise<AnyReceiver>
}

const message = (event: Record<string, unknown>): string => event.message as string

function tcpReceiver (receiver: TcpReceiver): AnyReceiver {
  return {
    get port () { return receiver.port },
    messages: () => receiver.events.map(message),
    connectionOf: () => receiver.lineConnections,
    kill: () => receiver.kill(),
    listen: () => receiver.listen(),
    dieOnNextBatch: async (afterMessages) => { await receiver.killWhen(() => receiver.events.length >= afterMessages) },
    neverAnswer: () => receiver.pauseReading(),
    answerAgain: () => receiver.resumeReading(),
    close: () => receiver.close()
  }
}

function beatsReceiver (receiver: BeatsReceiver): AnyReceiver {
  return {
    get port () { return receiver.port },
    messages: () => receiver.events.map(message),
    connectionOf: () => undefined,
    kill: () => receiver.kill(),
    listen: () => receiver.listen(),
    dieOnNextBatch: async () => {
      receiver.plan({ kind: 'kill' })
      await waitFor(() => receiver.windows.some((w) => w.action === 'kill'), { timeoutMs: 10_000, message: 'the receiver to die at a window' })
    },
    neverAnswer: () => { receiver.otherwise = { kind: 'silent' } },
    answerAgain: () => { receiver.otherwise = { kind: 'ack' } },
    close: () => receiver.close()
  }
}

function httpReceiver (receiver: HttpReceiver): AnyReceiver {
  return {
    get port () { return receiver.port },
    messages: () => receiver.events.map(message),
    connectionOf: () => undefined,
    kill: () => receiver.kill(),
    listen: () => receiver.listen(),
    dieOnNextBatch: async () => {
      const before = receiver.requests.length
      receiver.plan('kill')
      await waitFor(() => receiver.requests.length > before, { timeoutMs: 10_000, message: 'the receiver to die at a request' })
    },
    neverAnswer: () => { receiver.otherwise = 'hang' },
    answerAgain: () => { receiver.otherwise = undefined },
    close: () => receiver.close()
  }
}

export const RECEIVER_KINDS: readonly ReceiverKind[] = [
  { transport: 'tcp', name: 'tcp', tls: false, start: async () => tcpReceiver(await TcpReceiver.start()) },
  { transport: 'tcp', name: 'tcp+tls', tls: true, start: async () => tcpReceiver(await TcpReceiver.start({ tls: testPki().server })) },
  { transport: 'beats', name: 'beats', tls: false, start: async () => beatsReceiver(await BeatsReceiver.start()) },
  { transport: 'beats', name: 'beats+tls', tls: true, start: async () => beatsReceiver(await BeatsReceiver.start({ tls: testPki().server })) },
  { transport: 'http', name: 'http', tls: false, start: async () => httpReceiver(await HttpReceiver.start()) },
  { transport: 'http', name: 'https', tls: true, start: async () => httpReceiver(await HttpReceiver.start({ tls: testPki().server })) }
]
