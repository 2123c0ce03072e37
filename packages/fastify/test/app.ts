import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import supertest from 'supertest'
import { logstashPlugin, type LogstashPluginOptions } from '@logstash-async/fastify'
import { RecordingHandler } from './recording-handler'

/** A request as the tests send it, through inject or over a real socket. */
export interface TestRequest {
  method?: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  json?: unknown
}

export interface TestResponse {
  statusCode: number
  body: string
  headers: Record<string, unknown>
}

export type Via = 'inject' | 'listen'

/** Sends `request` through `fastify.inject` or supertest against the listening server. */
export async function send (app: FastifyInstance, via: Via, request: TestRequest): Promise<TestResponse> {
  const method = request.method ?? 'GET'
  if (via === 'inject') {
    const response = await app.inject({
      method,
      url: request.url,
      headers: request.headers ?? {},
      ...(request.json === undefined ? {} : { payload: request.json as Record<string, unknown> })
    })
    return { statusCode: response.statusCode, body: response.body, headers: response.headers }
  }
  const { port } = app.server.address() as AddressInfo
  const agent = supertest(`http://127.0.0.1:${port}`)
  let test = method === 'GET' ? agent.get(request.url) : agent.post(request.url)
  for (const [name, value] of Object.entries(request.headers ?? {})) test = test.set(name, value)
  const response = request.json === undefined ? await test : await test.send(request.json as object)
  return { statusCode: response.status, body: response.text, headers: response.headers }
}

/**
 * A Fastify app with the plugin registered first and writing to a RecordingHandler; `setup`
 * adds hooks and routes. With `via: 'listen'` it listens on 127.0.0.1, port 0.
 */
export async function buildApp (
  via: Via,
  setup: (app: FastifyInstance, handler: RecordingHandler) => void,
  { fastify = {}, plugin = {} }: { fastify?: FastifyServerOptions, plugin?: LogstashPluginOptions } = {}
): Promise<{ app: FastifyInstance, handler: RecordingHandler }> {
  const handler = new RecordingHandler()
  const app = Fastify({ requestIdHeader: 'x-request-id', ...fastify })
  await app.register(logstashPlugin, { handler, ...plugin })
  setup(app, handler)
  if (via === 'listen') await app.listen({ port: 0, host: '127.0.0.1' })
  else await app.ready()
  return { app, handler }
}
