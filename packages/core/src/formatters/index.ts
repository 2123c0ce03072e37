import type { ResolvedOptions } from '../options'
import { MAX_DATAGRAM_BYTES } from '../transports/udp'
import { EcsFormatter } from './ecs'
import { LogstashFormatter } from './logstash'
import type { Formatter } from '../contracts'

/**
 * The formatter the options ask for: the user's own, or the one `LOGSTASH_FORMAT` names
 * (`LOGSTASH_SERVICE_NAME` giving the ECS `service.name`). With UDP, events are kept
 * within one datagram unless the user's formatter says otherwise.
 */
export function createFormatter (options: ResolvedOptions): Formatter {
  const udp = options.transport === 'udp'
  const maxEventBytes = MAX_DATAGRAM_BYTES - 1
  if (options.formatter !== undefined) {
    const formatter = options.formatter
    if (udp && (formatter instanceof LogstashFormatter || formatter instanceof EcsFormatter) && formatter.maxEventBytes === undefined) {
      formatter.maxEventBytes = maxEventBytes
    }
    return formatter
  }
  if (options.format === 'ecs') {
    return new EcsFormatter({
      ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
      ...(udp ? { maxEventBytes } : {})
    })
  }
  return new LogstashFormatter(udp ? { maxEventBytes } : {})
}
