import type { ResolvedOptions } from '../options'
import { MAX_DATAGRAM_BYTES } from '../transports/udp'
import { EcsFormatter } from './ecs'
import { LogstashFormatter } from './logstash'
import type { Formatter } from '../contracts'

/**
 * The formatter the options ask for: the user's own, or the one `LOGSTASH_FORMAT` names
 * (`LOGSTASH_SERVICE_NAME` giving the ECS `service.name`). With UDP, the handler's own
 * formatter keeps events within one datagram.
 */
export function createFormatter (options: ResolvedOptions): Formatter {
  const udp = options.transport === 'udp'
  const maxEventBytes = MAX_DATAGRAM_BYTES - 1
  // A formatter passed in is the user's: never changed here (UDP warns instead, see createTransport).
  if (options.formatter !== undefined) return options.formatter
  if (options.format === 'ecs') {
    return new EcsFormatter({
      ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
      ...(udp ? { maxEventBytes } : {})
    })
  }
  return new LogstashFormatter(udp ? { maxEventBytes } : {})
}
