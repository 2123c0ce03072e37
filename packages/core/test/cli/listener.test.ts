import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { gzipSync, deflateSync } from 'node:zlib'
import { createLogger, LogstashHandler, type HandlerOptions } from '@logstash-async/core'
import { coreInternal } from '../../../../test/helpers/core-internal'
import { once, waitFor } from '../../../../test/helpers/wait'

type ListenerModule = typeof import('../../src/cli/listener')
type Listener = Awaited<ReturnType<ListenerModule['Listener']['start']>>
type InputName = 'tcp' | 'udp' | 'beats' | 'http'

const { Listener } = coreInternal<ListenerModule>('cli/listener.js')
const FIXTURES = join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'tls')
const CERT = readFileSync(join(FIXTURES, 'localhost.crt'))
const KEY = readFileSync(join(FIXTURES, 'localhost.key'))

describe('logstash-async listen: the inputs', () => {
  let listener: Listener | undefined
  let handler: LogstashHandler | undefined
  let received: Array<{ input: InputName, event: Record<string, unknown> }>
  let invalid: string[]
  const sockets: Socket[] = []

  async function start (ports: Partial<Record<InputName, number>>, tls = false): Promise<Listener> {
    received = []
    invalid = []
    listener = await Listener.start({
      ports,
      ...(tls ? { tls: { cert: CERT, key: KEY } } : {}),
      onEvent: (event, input) => received.push({ input, event }),
      onInvalid: (input, reason) => invalid.push(`${input}: ${reason}`)
    })
    return listener
  }

  function events (count: number): Promise<void> {
    return waitFor(() => received.length >= count, { timeoutMs: 5000, message: () => `${count} events (got ${received.length})` })
  }

  function sendWith (options: HandlerOptions, messages: string[]): void {
    handler = new LogstashHandler({ host: '127.0.0.1', flushIntervalMs: 5, onError: () => {}, ...options })
    const log = createLogger({ handler, name: 'listener-test' })
    for (const message of messages) log.info(message, { n: message.length })
  }

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy()
    await handler?.close()
    handler = undefined
    await listener?.close()
    listener = undefined
  })

  describe('tcp', () => {
    it('prints what the tcp transport sends: JSON lines, in order', async () => {
      const port = (await start({ tcp: 0 })).port('tcp') as number
      sendWith({ port, transport: 'tcp' }, ['one', 'two', 'three'])
      await events(3)
      assert.deepEqual(received.map((r) => [r.input, r.event.message]), [['tcp', 'one'], ['tcp', 'two'], ['tcp', 'three']])
      assert.equal(listener?.counts.tcp, 3)
    })

    it('joins a line split across packets, multi-byte characters included, and reads a last line without newline', async () => {
      const port = (await start({ tcp: 0 })).port('tcp') as number
      const socket = connect(port, '127.0.0.1')
      sockets.push(socket)
      await once(socket, 'connect')
      const bytes = Buffer.from('{"message":"h€llo"}\n{"message":"last"}')
      socket.write(bytes.subarray(0, 14)) // ends inside '€'
      await new Promise<void>((resolve) => setImmediate(resolve))
      socket.end(bytes.subarray(14))
      await events(2)
      assert.deepEqual(received.map((r) => r.event.message), ['h€llo', 'last'])
    })

    it('counts a line that is not a JSON object as invalid and goes on', async () => {
      const port = (await start({ tcp: 0 })).port('tcp') as number
      const socket = connect(port, '127.0.0.1')
      sockets.push(socket)
      socket.end('not json\n[1,2]\n{"message":"ok"}\n')
      await events(1)
      await waitFor(() => invalid.length === 2)
      assert.equal(listener?.invalid, 2)
      assert.match(invalid[0] ?? '', /^tcp: not JSON/)
      assert.equal(invalid[1], 'tcp: not a JSON object')
    })

    it('serves TLS with --tls-cert and --tls-key', async () => {
      const port = (await start({ tcp: 0 }, true)).port('tcp') as number
      sendWith({ port, transport: 'tcp', tls: { ca: CERT, servername: 'localhost' } }, ['secret'])
      await events(1)
      assert.equal(received[0]?.event.message, 'secret')
    })
  })

  describe('udp', () => {
    it('prints what the udp transport sends: one event per datagram', async () => {
      const port = (await start({ udp: 0 })).port('udp') as number
      sendWith({ port, transport: 'udp' }, ['u1', 'u2'])
      await events(2)
      assert.deepEqual(received.map((r) => [r.input, r.event.message]).sort(), [['udp', 'u1'], ['udp', 'u2']])
    })
  })

  describe('http', () => {
    function post (port: number, body: Buffer, headers: Record<string, string> = {}, method = 'POST', tls = false): Promise<{ status: number, text: string }> {
      return new Promise((resolve, reject) => {
        const send = tls ? httpsRequest : httpRequest
        const req = send({ host: '127.0.0.1', port, method, path: '/', headers: { 'content-type': 'application/json', ...headers }, ...(tls ? { ca: CERT, servername: 'localhost' } : {}) }, (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => { text += chunk })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        })
        req.on('error', reject)
        req.end(body)
      })
    }

    it('reads a POST of a JSON array of events and answers 200 ok', async () => {
      const port = (await start({ http: 0 })).port('http') as number
      const response = await post(port, Buffer.from(JSON.stringify([{ message: 'h1' }, { message: 'h2' }])))
      assert.deepEqual(response, { status: 200, text: 'ok' })
      assert.deepEqual(received.map((r) => [r.input, r.event.message]), [['http', 'h1'], ['http', 'h2']])
    })

    it('reads gzip and deflate bodies', async () => {
      const port = (await start({ http: 0 })).port('http') as number
      await post(port, gzipSync(JSON.stringify([{ message: 'gz' }])), { 'content-encoding': 'gzip' })
      await post(port, deflateSync(JSON.stringify([{ message: 'df' }])), { 'content-encoding': 'deflate' })
      assert.deepEqual(received.map((r) => r.event.message), ['gz', 'df'])
    })

    it('reads one event posted alone', async () => {
      const port = (await start({ http: 0 })).port('http') as number
      await post(port, Buffer.from('{"message":"alone"}'))
      assert.equal(received[0]?.event.message, 'alone')
    })

    it('answers 400 to a body that is not JSON, and 405 to a GET', async () => {
      const port = (await start({ http: 0 })).port('http') as number
      assert.equal((await post(port, Buffer.from('[{"message":'))).status, 400)
      assert.equal((await post(port, Buffer.alloc(0), {}, 'GET')).status, 405)
      assert.equal(received.length, 0)
      assert.equal(listener?.invalid, 1)
    })

    it('serves HTTPS with --tls-cert and --tls-key', async () => {
      const port = (await start({ http: 0 }, true)).port('http') as number
      const response = await post(port, Buffer.from('[{"message":"tls"}]'), {}, 'POST', true)
      assert.equal(response.status, 200)
      assert.equal(received[0]?.event.message, 'tls')
    })
  })

  describe('beats', () => {
    const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b }
    const window = (n: number): Buffer => Buffer.concat([Buffer.from('2W'), u32(n)])
    const json = (seq: number, event: unknown): Buffer => {
      const payload = Buffer.from(JSON.stringify(event))
      return Buffer.concat([Buffer.from('2J'), u32(seq), u32(payload.length), payload])
    }
    const compressed = (...frames: Buffer[]): Buffer => {
      const payload = deflateSync(Buffer.concat(frames))
      return Buffer.concat([Buffer.from('2C'), u32(payload.length), payload])
    }

    async function beatsClient (port: number): Promise<{ socket: Socket, acks: Buffer[] }> {
      const socket = connect(port, '127.0.0.1')
      sockets.push(socket)
      const acks: Buffer[] = []
      let pending = Buffer.alloc(0)
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk])
        while (pending.length >= 6) { acks.push(pending.subarray(0, 6)); pending = pending.subarray(6) }
      })
      await once(socket, 'connect')
      return { socket, acks }
    }

    it('reads a window sent as one compressed frame and ACKs it with 2A and the window count', async () => {
      const port = (await start({ beats: 0 })).port('beats') as number
      const { socket, acks } = await beatsClient(port)
      socket.write(Buffer.concat([window(3), compressed(json(1, { message: 'b1' }), json(2, { message: 'b2' }), json(3, { message: 'b3' }))]))
      await waitFor(() => acks.length === 1)
      assert.deepEqual(acks[0], Buffer.concat([Buffer.from('2A'), u32(3)]))
      assert.deepEqual(received.map((r) => [r.input, r.event.message]), [['beats', 'b1'], ['beats', 'b2'], ['beats', 'b3']])
    })

    it('ACKs each window of a connection only once all its events arrived, plain J frames too', async () => {
      const port = (await start({ beats: 0 })).port('beats') as number
      const { socket, acks } = await beatsClient(port)
      socket.write(Buffer.concat([window(2), json(1, { message: 'p1' })]))
      await events(1)
      assert.equal(acks.length, 0)
      socket.write(json(2, { message: 'p2' }))
      await waitFor(() => acks.length === 1)
      socket.write(Buffer.concat([window(1), compressed(json(1, { message: 'p3' }))]))
      await waitFor(() => acks.length === 2)
      assert.deepEqual(acks.map((a) => a.readUInt32BE(2)), [2, 1])
      assert.deepEqual(received.map((r) => r.event.message), ['p1', 'p2', 'p3'])
    })

    it('closes a connection that does not speak Lumberjack and counts it as invalid', async () => {
      const port = (await start({ beats: 0 })).port('beats') as number
      const { socket } = await beatsClient(port)
      socket.write('{"message":"json lines to the wrong port"}\n')
      await once(socket, 'close')
      assert.match(invalid[0] ?? '', /^beats: unknown protocol version byte 0x7b; connection closed$/)
    })
  })

  it('starts any subset of the inputs, each on its own port', async () => {
    const started = await start({ tcp: 0, udp: 0, beats: 0, http: 0 })
    assert.deepEqual(started.inputs.map((input) => input.name), ['tcp', 'udp', 'beats', 'http'])
    assert.equal(new Set(started.inputs.map((input) => input.address.port)).size >= 3, true)
  })
})
