import { Inject } from '@nestjs/common'
import { LogstashLogger } from './logstash.logger'

/** Injects the module's `LogstashLogger`: `constructor (@InjectLogger() logger: LogstashLogger)`. */
export function InjectLogger (): PropertyDecorator & ParameterDecorator {
  return Inject(LogstashLogger)
}
