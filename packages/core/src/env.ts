import { readFileSync } from 'node:fs'
import { ConfigurationError } from './errors'
import { LEVELS, type Level } from './levels'
import { TRANSPORT_NAMES, type TransportName } from './contracts'
import { parseHostAddress, type HostAddress } from './host-address'
import { describeValue } from './validate'

/** What the `LOGSTASH_*` variables set; each applies only where the code set nothing. */
export interface EnvironmentOptions {
  host?: string
  /** `LOGSTASH_HOSTS`: comma separated, each `host`, `host:port` or `[ipv6]:port`. */
  hosts?: HostAddress[]
  port?: number
  transport?: TransportName
  databasePath?: string
  /** `LOGSTASH_TLS=1` turns TLS on; `LOGSTASH_TLS_CA` adds the CA file's contents. */
  tls?: { ca?: Buffer }
  level?: Level
  enabled?: boolean
  format?: 'logstash' | 'ecs'
  serviceName?: string
}

function bad (variable: string, expected: string, value: string): never {
  throw new ConfigurationError(`environment variable ${variable} must be ${expected}, got ${describeValue(value)}`)
}

function flag (variable: string, value: string): boolean {
  if (value === '1' || value === 'true') return true
  if (value === '0' || value === 'false') return false
  return bad(variable, '1 or 0', value)
}

/** Reads and validates the `LOGSTASH_*` variables; empty ones count as unset. */
export function readEnvironment (env: NodeJS.ProcessEnv): EnvironmentOptions {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }
  const result: EnvironmentOptions = {}

  const host = get('LOGSTASH_HOST')
  if (host !== undefined) result.host = host

  const hosts = get('LOGSTASH_HOSTS')
  if (hosts !== undefined) {
    if (host !== undefined) throw new ConfigurationError('environment variables LOGSTASH_HOSTS and LOGSTASH_HOST must not both be set (LOGSTASH_HOSTS replaces LOGSTASH_HOST)')
    result.hosts = hosts.split(',').map((entry) => {
      try {
        return parseHostAddress('LOGSTASH_HOSTS', entry)
      } catch {
        return bad('LOGSTASH_HOSTS', "a comma-separated list of 'host', 'host:port' or '[ipv6]:port'", hosts)
      }
    })
  }

  const port = get('LOGSTASH_PORT')
  if (port !== undefined) {
    const n = Number(port)
    if (!/^\d+$/.test(port) || n < 1 || n > 65535) bad('LOGSTASH_PORT', 'an integer 1-65535', port)
    result.port = n
  }

  const transport = get('LOGSTASH_TRANSPORT')
  if (transport !== undefined) {
    if (!(TRANSPORT_NAMES as readonly string[]).includes(transport)) bad('LOGSTASH_TRANSPORT', `one of ${TRANSPORT_NAMES.map((n) => `'${n}'`).join(', ')}`, transport)
    result.transport = transport as TransportName
  }

  const databasePath = get('LOGSTASH_DATABASE_PATH')
  if (databasePath !== undefined) result.databasePath = databasePath

  const tls = get('LOGSTASH_TLS')
  const tlsCa = get('LOGSTASH_TLS_CA')
  if ((tls !== undefined && flag('LOGSTASH_TLS', tls)) || tlsCa !== undefined) {
    result.tls = {}
    if (tlsCa !== undefined) {
      try {
        result.tls.ca = readFileSync(tlsCa)
      } catch (err) {
        throw new ConfigurationError(`environment variable LOGSTASH_TLS_CA must name a readable PEM file, got ${describeValue(tlsCa)} (${(err as Error).message})`, { cause: err })
      }
    }
  }

  const level = get('LOGSTASH_LEVEL')
  if (level !== undefined) {
    if (!(LEVELS as readonly string[]).includes(level)) bad('LOGSTASH_LEVEL', `one of ${LEVELS.join(', ')}`, level)
    result.level = level as Level
  }

  const enabled = get('LOGSTASH_ENABLED')
  if (enabled !== undefined) result.enabled = flag('LOGSTASH_ENABLED', enabled)

  const format = get('LOGSTASH_FORMAT')
  if (format !== undefined) {
    if (format !== 'logstash' && format !== 'ecs') bad('LOGSTASH_FORMAT', "'logstash' or 'ecs'", format)
    result.format = format
  }

  const serviceName = get('LOGSTASH_SERVICE_NAME')
  if (serviceName !== undefined) result.serviceName = serviceName

  return result
}
