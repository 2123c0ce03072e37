import { ConfigurationError } from '../errors'
import type { ResolvedOptions } from '../options'
import { BeatsTransport } from './beats'
import { HttpTransport } from './http'
import { TcpTransport } from './tcp'
import { UdpTransport } from './udp'
import type { Transport } from '../contracts'

/** The transport the options name, or the user's own. */
export function createTransport (options: ResolvedOptions): Transport {
  const { transport, host, port, tls, timeoutMs } = options
  if (typeof transport !== 'string') return transport
  switch (transport) {
    case 'tcp': return new TcpTransport({ host, port, tls, timeoutMs })
    case 'udp':
      if (tls !== undefined) throw new ConfigurationError("tls must not be set with transport 'udp' (UDP has no TLS; use 'tcp', 'beats' or 'http')")
      return new UdpTransport({ host, port })
    case 'beats': return new BeatsTransport({ host, port, tls, timeoutMs, ...options.beats })
    case 'http': return new HttpTransport({ host, port, tls, timeoutMs, ...options.http })
  }
}
