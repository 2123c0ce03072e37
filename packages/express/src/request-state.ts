import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '@logstash-async/core'
import type { MiddlewareSettings } from './options'

/** What the middleware leaves on a request for the error middleware and for a second mount. */
export interface RequestState {
  readonly context: RequestContext
  readonly settings: MiddlewareSettings
}

// Symbol.for: a second copy of this package (two versions installed) still finds the state.
const STATE = Symbol.for('@logstash-async/express.state')

type RequestWithState = IncomingMessage & { [STATE]?: RequestState }

export function getRequestState (req: IncomingMessage): RequestState | undefined {
  return (req as RequestWithState)[STATE]
}

export function setRequestState (req: IncomingMessage, state: RequestState): void {
  Object.defineProperty(req, STATE, { value: state, configurable: true, enumerable: false, writable: false })
}
