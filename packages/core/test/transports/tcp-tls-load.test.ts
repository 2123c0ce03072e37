import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { TcpTransport, TransportError } from '@logstash-async/core'
import { tcpOptions } from '../../../../test/helpers/resolved-options'

// node:tls is loaded on the first TLS connection, not with the package: the TLS path must
// still reach tls.connect and report its failures as retryable TransportErrors.
describe('TcpTransport with TLS, node:tls loaded on first use', () => {
  let server: Server
  let transport: TcpTransport
  const sockets = new Set<Socket>()

  afterEach(async () => {
    await transport?.close()
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('starts a TLS handshake and rejects retryably when the server hangs up on it', async () => {
    let firstByte: number | undefined
    // A server that does not speak TLS: it reads the ClientHello and hangs up.
    server = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.once('data', (chunk: Buffer) => { firstByte = chunk[0]; socket.destroy() })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    transport = new TcpTransport(tcpOptions({ host: '127.0.0.1', port, tls: { rejectUnauthorized: true }, timeoutMs: 5000 }))

    const err = await transport.send(['{"message":"x"}']).then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`)
    assert.equal(err.retryable, true)
    assert.match(err.message, /^cannot connect to tls:\/\/127\.0\.0\.1:/)
    // A TLS handshake record (content type 22) arrived: tls.connect was used.
    assert.equal(firstByte, 22)
  })
})
