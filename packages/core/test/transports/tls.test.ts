import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import type { TlsOptions as ServerTlsOptions } from 'node:tls'
import { TcpTransport, TransportError, type TlsOptions } from '@logstash-async/core'
import { testPki } from '../../../../test/helpers/certs'
import { OpensslServer } from '../../../../test/helpers/openssl-server'
import { TcpReceiver } from '../../../../test/helpers/tcp-receiver'
import { retryableWith } from '../../../../test/helpers/transport-errors'
import { waitFor } from '../../../../test/helpers/wait'
import { tcpOptions } from '../../../../test/helpers/resolved-options'

const EVENT = JSON.stringify({ message: 'over TLS' })

describe('TcpTransport over TLS', function () {
  // The first test pays for generating the PKI with openssl.
  this.timeout(30_000)

  let receiver: TcpReceiver | undefined
  let transport: TcpTransport | undefined
  let silentServer: Server | undefined
  let opensslServer: OpensslServer | undefined
  const silentSockets = new Set<Socket>()

  afterEach(async () => {
    await transport?.close()
    await receiver?.close()
    await opensslServer?.close()
    for (const socket of silentSockets) socket.destroy()
    silentSockets.clear()
    if (silentServer !== undefined) await new Promise<void>((resolve) => silentServer?.close(() => resolve()))
    receiver = transport = silentServer = opensslServer = undefined
  })

  async function start (server: ServerTlsOptions, client: TlsOptions, host = '127.0.0.1'): Promise<{ receiver: TcpReceiver, transport: TcpTransport }> {
    receiver = await TcpReceiver.start({ tls: server })
    transport = new TcpTransport(tcpOptions({ host, port: receiver.port, tls: { rejectUnauthorized: true, ...client }, timeoutMs: 5000 }))
    return { receiver, transport }
  }

  async function assertDelivers (): Promise<void> {
    assert.ok(receiver !== undefined && transport !== undefined)
    await transport.send([EVENT])
    await receiver.waitForEvents(1)
    assert.deepEqual(receiver.lines, [EVENT])
  }

  describe('server verification', () => {
    it('delivers to a server whose certificate the given CA signed', async () => {
      const { server, ca } = testPki()
      await start({ ...server }, { ca })
      await assertDelivers()
    })

    it('refuses a server signed by another CA', async () => {
      const { server, otherCa } = testPki()
      const { receiver, transport } = await start({ ...server }, { ca: otherCa })
      await assert.rejects(transport.send([EVENT]), retryableWith('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))
      assert.deepEqual(receiver.lines, [])
    })

    it('refuses a certificate issued for another host name', async () => {
      const { wrongHost, ca } = testPki()
      const { receiver, transport } = await start({ ...wrongHost }, { ca })
      await assert.rejects(transport.send([EVENT]), retryableWith('ERR_TLS_CERT_ALTNAME_INVALID'))
      assert.deepEqual(receiver.lines, [])
    })

    it('checks the certificate against servername when it is set, and sends it as SNI', async () => {
      const { wrongHost, ca } = testPki()
      const { receiver } = await start({ ...wrongHost }, { ca, servername: 'wrong.example' })
      await assertDelivers()
      assert.equal(receiver.tlsPeers[0]?.servername, 'wrong.example')
    })

    it('sends no SNI when the host is an IP address', async () => {
      const { server, ca } = testPki()
      const { receiver } = await start({ ...server }, { ca })
      await assertDelivers()
      assert.equal(receiver.tlsPeers[0]?.servername, false)
    })

    it('verifies a server on ::1 against its IPv6 address', async function () {
      const { server, ca } = testPki()
      try {
        receiver = await TcpReceiver.start({ tls: { ...server }, host: '::1' })
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') this.skip()
        throw err
      }
      transport = new TcpTransport(tcpOptions({ host: '::1', port: receiver.port, tls: { ca, rejectUnauthorized: true } }))
      await assertDelivers()
    })

    it('refuses a self-signed server by default', async () => {
      const { selfSigned } = testPki()
      const { receiver, transport } = await start({ ...selfSigned }, {})
      await assert.rejects(transport.send([EVENT]), retryableWith('DEPTH_ZERO_SELF_SIGNED_CERT'))
      assert.deepEqual(receiver.lines, [])
    })

    it('accepts a self-signed server with rejectUnauthorized: false', async () => {
      const { selfSigned } = testPki()
      await start({ ...selfSigned }, { rejectUnauthorized: false })
      await assertDelivers()
    })
  })

  describe('mutual TLS', () => {
    function mutualServer (extra: ServerTlsOptions = {}): ServerTlsOptions {
      const { server, ca } = testPki()
      return { ...server, ca, requestCert: true, rejectUnauthorized: true, ...extra }
    }

    it('presents the client certificate the server asks for', async () => {
      const { client, ca } = testPki()
      const { receiver } = await start(mutualServer(), { ca, ...client })
      await assertDelivers()
      assert.equal(receiver.tlsPeers[0]?.authorized, true)
      assert.equal(receiver.tlsPeers[0]?.clientCommonName, 'logstash-async test client')
    })

    // TLS 1.3 lets the client finish its handshake before the server checked the client
    // certificate: the refusal must still fail the send, not vanish after it.
    it('fails the send when the server requires a client certificate and none is configured', async () => {
      const { ca } = testPki()
      const { receiver, transport } = await start(mutualServer(), { ca })
      await assert.rejects(transport.send([EVENT]), retryableWith('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))
      await assert.rejects(transport.send([EVENT]), TransportError)
      assert.deepEqual(receiver.lines, [])
    })

    it('fails the send without a client certificate over TLS 1.2 as well', async () => {
      const { ca } = testPki()
      const { receiver, transport } = await start(mutualServer({ maxVersion: 'TLSv1.2' }), { ca })
      await assert.rejects(transport.send([EVENT]), TransportError)
      assert.deepEqual(receiver.lines, [])
    })

    it('fails the send when the server does not trust the client certificate', async () => {
      const { client, ca, otherCa } = testPki()
      const { receiver, transport } = await start(mutualServer({ ca: otherCa }), { ca, ...client })
      await assert.rejects(transport.send([EVENT]), TransportError)
      assert.deepEqual(receiver.lines, [])
    })
  })

  // The transport waits for a TLS 1.3 session ticket before its first write (see the mutual
  // TLS tests); a server that issues none must still get the events.
  it('delivers to a TLS 1.3 server that sends no session ticket', async () => {
    const { server, ca } = testPki()
    opensslServer = await OpensslServer.start({ ...server, args: ['-num_tickets', '0', '-tls1_3'] })
    const openssl = opensslServer
    transport = new TcpTransport(tcpOptions({ host: '127.0.0.1', port: openssl.port, tls: { ca, rejectUnauthorized: true } }))
    await transport.send([EVENT])
    await waitFor(() => openssl.output.includes(EVENT + '\n'), { message: `the event in s_server's output: ${openssl.output}` })
  })

  it('times out a handshake the server never answers', async () => {
    silentServer = createServer((socket) => { silentSockets.add(socket); socket.on('error', () => {}) })
    await new Promise<void>((resolve) => silentServer?.listen(0, '127.0.0.1', resolve))
    const { port } = silentServer.address() as { port: number }
    const { ca } = testPki()
    transport = new TcpTransport(tcpOptions({ host: '127.0.0.1', port, tls: { ca, rejectUnauthorized: true }, timeoutMs: 200 }))
    await assert.rejects(transport.send([EVENT]), retryableWith('LOGSTASH_TIMEOUT'))
  })
})
