import { createTargetStream } from './transport-target'

export { logstashDestination } from './destination'
export type { LogstashDestination } from './destination'
export { DESTINATION_DEFAULTS } from './options'
export type { LogstashDestinationOptions } from './options'
export { mapPinoLevel, pinoLevel } from './levels'
export type { MappedLevel, PinoLevels } from './levels'
export { CUSTOM_LEVEL_FIELD } from './line'
export { createTargetStream, LogstashTargetStream, TARGET_CLOSE_TIMEOUT_MS } from './transport-target'
export type { LogstashTransportOptions } from './transport-target'

/**
 * The `pino.transport({ target: '@logstash-async/pino', options })` entry point: pino's
 * worker thread loads this module and calls its default export with `options`.
 */
export default createTargetStream
