import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { InputOptions } from './types'

/** A listening TCP (or TLS) server that can drop its connections on close. */
export interface StreamServer {
  readonly address: AddressInfo
  close (): Promise<void>
}

/** Listens with TCP, or TLS when options are given; `onConnection` gets each socket. */
export async function listenStream (options: InputOptions, onConnection: (socket: Socket) => void): Promise<StreamServer> {
  const sockets = new Set<Socket>()
  const accept = (socket: Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {}) // a client going away is not the listener's problem
    onConnection(socket)
  }
  const server: Server = options.tls === undefined ? createNetServer(accept) : createTlsServer(options.tls, accept)
  server.on('tlsClientError', () => {})
  await listen(server, options.port, options.host)
  return {
    address: server.address() as AddressInfo,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** `server.listen()` as a promise that rejects on EADDRINUSE and friends. */
export function listen (server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
}
