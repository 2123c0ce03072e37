import { ConfigurationError } from '../errors'
import { formatHostAddress } from '../host-address'
import type { ResolvedOptions } from '../options'
import { BeatsTransport } from './beats'
import type { PooledTransport } from './connection'
import { HostPool, type HostSpec } from './host-pool'
import { HttpTransport } from './http'
import { TcpTransport } from './tcp'
import { UdpTransport } from './udp'

/**
 * The hosts the options name, each with `workers` connections of the chosen protocol
 * (`pipelining` sends at once on each), or the user's own transport as the one host.
 */
export function createTransport (options: ResolvedOptions): HostPool {
  const { transport, hosts, tls, timeoutMs, pipelining, workers, loadBalance, retry } = options
  const pool = (specs: HostSpec[]): HostPool => new HostPool(specs, { loadBalance, backoff: retry })
  if (typeof transport !== 'string') {
    // A transport of your own is one host, with the concurrency it declares.
    return pool([{ address: 'custom', connections: 1, create: () => transport as PooledTransport }])
  }
  if (transport === 'udp') {
    if (tls !== undefined) throw new ConfigurationError("tls must not be set with transport 'udp' (UDP has no TLS; use 'tcp', 'beats' or 'http')")
    warnIfUdpMayDrop(options)
  }
  return pool(hosts.map(({ host, port }) => ({
    address: formatHostAddress(host, port),
    // UDP has no connection: one socket per host is all it takes.
    connections: transport === 'udp' ? 1 : workers,
    create: (hooks) => {
      switch (transport) {
        case 'tcp': return new TcpTransport({ host, port, tls, timeoutMs, pipelining }, hooks)
        case 'udp': return new UdpTransport({ host, port })
        case 'beats': return new BeatsTransport({ host, port, tls, timeoutMs, pipelining, ...options.beats })
        case 'http': return new HttpTransport({ host, port, tls, timeoutMs, pipelining, ...options.http })
      }
    }
  })))
}

// The handler's own formatter keeps events within a datagram; a formatter you pass is
// yours, left as it is (issue 13): say so when it may produce events UDP cannot carry.
function warnIfUdpMayDrop ({ formatter }: ResolvedOptions): void {
  if (formatter === undefined || !('maxEventBytes' in formatter) || (formatter as { maxEventBytes?: unknown }).maxEventBytes !== undefined) return
  process.emitWarning('transport \'udp\' with a formatter without maxEventBytes: events larger than a datagram (65507 bytes) are dropped and reported; set maxEventBytes: 65506 on the formatter to have them shortened instead',
    { code: 'LOGSTASH_UDP_MAX_EVENT_BYTES' })
}
