import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { gunzip, inflate } from 'node:zlib'
import { promisify } from 'node:util'
import { listen } from './stream-server'
import { acceptEvent, parseEvent, type Input, type InputOptions } from './types'

/** Largest request body accepted (the http transport's default maxContentLength). */
export const MAX_BODY_BYTES = 100 * 1024 * 1024

const gunzipAsync = promisify(gunzip)
const inflateAsync = promisify(inflate)

/**
 * A Logstash http input: a POST (or PUT) of a JSON array of events, or of one event, to any
 * path; gzip or deflate bodies allowed. Answers 200 `ok` as Logstash does, 400 for a body
 * that is not JSON, 413 over MAX_BODY_BYTES. Basic auth is accepted and not checked.
 */
export async function startHttpInput (options: InputOptions): Promise<Input> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    void receive(req, res, options).catch(() => {
      if (!res.headersSent) reply(res, 500, 'internal error')
    })
  }
  const server: Server = options.tls === undefined ? createHttpServer(handle) : createHttpsServer(options.tls, handle)
  server.on('tlsClientError', () => {})
  server.on('clientError', (_err, socket) => socket.destroy())
  await listen(server, options.port, options.host)
  return {
    name: 'http',
    address: server.address() as AddressInfo,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

async function receive (req: IncomingMessage, res: ServerResponse, options: InputOptions): Promise<void> {
  if (req.method !== 'POST' && req.method !== 'PUT') {
    req.resume()
    res.setHeader('allow', 'POST, PUT')
    reply(res, 405, 'method not allowed')
    return
  }
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length
    if (length > MAX_BODY_BYTES) {
      options.sink.invalid('http', `a body larger than ${MAX_BODY_BYTES} bytes`, '')
      res.setHeader('connection', 'close')
      reply(res, 413, 'payload too large')
      req.destroy()
      return
    }
    chunks.push(chunk)
  }
  let body: Buffer
  try {
    body = await decode(Buffer.concat(chunks, length), String(req.headers['content-encoding'] ?? 'identity').toLowerCase())
  } catch (err) {
    options.sink.invalid('http', `a body that does not decompress (${(err as Error).message})`, '')
    reply(res, 400, 'bad encoding')
    return
  }
  const text = body.toString('utf8')
  const trimmed = text.trim()
  if (trimmed.startsWith('[')) {
    let events: unknown
    try {
      events = JSON.parse(trimmed)
    } catch (err) {
      options.sink.invalid('http', `not JSON (${(err as Error).message})`, trimmed)
      reply(res, 400, 'invalid JSON')
      return
    }
    for (const event of events as unknown[]) acceptEvent('http', event, options.sink)
  } else {
    // One event, or newline-delimited events (the json_lines codec).
    for (const line of trimmed.split('\n')) if (line.trim() !== '') parseEvent('http', line, options.sink)
  }
  reply(res, 200, 'ok')
}

async function decode (body: Buffer, encoding: string): Promise<Buffer> {
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipAsync(body)
  if (encoding === 'deflate') return inflateAsync(body)
  if (encoding === 'identity' || encoding === '') return body
  throw new Error(`unsupported content-encoding ${encoding}`)
}

function reply (res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
