import { createSocket } from 'node:dgram'
import type { AddressInfo } from 'node:net'
import { isIPv6 } from 'node:net'
import { parseEvent, type Input, type InputOptions } from './types'

/** A Logstash udp input with the json codec: one event per datagram (a trailing newline is fine). */
export async function startUdpInput (options: InputOptions): Promise<Input> {
  const socket = createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 })
  socket.on('message', (message) => {
    // One datagram is one event; several lines in one datagram are read one by one.
    for (const line of message.toString('utf8').split('\n')) {
      if (line.trim() !== '') parseEvent('udp', line, options.sink)
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(options.port, options.host, () => { socket.off('error', reject); resolve() })
  })
  socket.on('error', () => {})
  return {
    name: 'udp',
    address: socket.address() as AddressInfo,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve()))
  }
}
