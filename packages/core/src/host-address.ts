import { isIP } from 'node:net'
import { fail } from './validate'

/** One Logstash host; `port` is `undefined` when the entry named none (the transport's default applies). */
export interface HostAddress {
  host: string
  port: number | undefined
}

/**
 * Reads one entry of `hosts` or `LOGSTASH_HOSTS`: `name`, `name:port`, an IPv4 address with
 * or without a port, `[v6]` or `[v6]:port`, or a bare IPv6 address (no port then: the
 * colons are the address's). `what` names the entry in the error, such as `hosts[1]`.
 */
export function parseHostAddress (what: string, text: string): HostAddress {
  const value = text.trim()
  const bad = (): never => fail(what, "'host', 'host:port', '[ipv6]' or '[ipv6]:port' with a port 1-65535", text)
  if (value === '') return bad()
  if (value.startsWith('[')) {
    const close = value.indexOf(']')
    if (close < 2) return bad()
    const host = value.slice(1, close)
    if (isIP(host) !== 6) return bad()
    const rest = value.slice(close + 1)
    if (rest === '') return { host, port: undefined }
    if (!rest.startsWith(':')) return bad()
    return { host, port: parsePort(rest.slice(1), bad) }
  }
  if (isIP(value) === 6) return { host: value, port: undefined }
  const colon = value.lastIndexOf(':')
  if (colon === -1) return { host: value, port: undefined }
  const host = value.slice(0, colon)
  if (host === '' || host.includes(':')) return bad()
  return { host, port: parsePort(value.slice(colon + 1), bad) }
}

function parsePort (text: string, bad: () => never): number {
  if (!/^\d{1,5}$/.test(text)) return bad()
  const port = Number(text)
  return port >= 1 && port <= 65535 ? port : bad()
}

/** `host:port` for reports, with IPv6 addresses in brackets. */
export function formatHostAddress (host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}
