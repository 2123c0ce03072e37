import { ConfigurationError } from '../errors'
import type { ResolvedOptions } from '../options'
import { MAX_DATAGRAM_BYTES } from '../transports/udp'
import { LogstashFormatter } from './logstash'
import type { Formatter } from './types'

/**
 * The formatter the options ask for: the user's own, or the one `LOGSTASH_FORMAT` names.
 * With UDP, events are kept within one datagram unless the user's formatter says otherwise.
 */
export function createFormatter (options: ResolvedOptions): Formatter {
  const udp = options.transport === 'udp'
  if (options.formatter !== undefined) {
    const formatter = options.formatter
    if (udp && formatter instanceof LogstashFormatter && formatter.maxEventBytes === undefined) {
      formatter.maxEventBytes = MAX_DATAGRAM_BYTES - 1
    }
    return formatter
  }
  if (options.format === 'ecs') {
    throw new ConfigurationError("environment variable LOGSTASH_FORMAT='ecs' needs the EcsFormatter, which this version of @logstash-async/core does not have yet")
  }
  return new LogstashFormatter(udp ? { maxEventBytes: MAX_DATAGRAM_BYTES - 1 } : {})
}
