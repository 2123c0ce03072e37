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

/** The state `logstashMiddleware()` left on `req`, if it ran. */
export function getRequestState (req: IncomingMessage): RequestState | undefined {
  return (req as RequestWithState)[STATE]
}

/** Leaves the state on `req` for the error middleware and a second mount. */
export function setRequestState (req: IncomingMessage, state: RequestState): void {
  // A symbol key: invisible to JSON.stringify, Object.keys and for...in, without defineProperty's cost.
  (req as RequestWithState)[STATE] = state
}
