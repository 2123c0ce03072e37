// `logstashStream` is @logstash-async/pino's `logstashDestination`, kept here under its
// first name so applications that import it from this package keep working unchanged.
export { logstashDestination as logstashStream, pinoLevel } from '@logstash-async/pino'
export type { LogstashDestination, LogstashDestinationOptions as LogstashStreamOptions } from '@logstash-async/pino'
