export { LogstashTransport } from './transport'
export type { LogstashTransportOptions } from './options'
export { WINSTON_LEVELS, mapWinstonLevel } from './levels'
export { CUSTOM_LEVEL_FIELD } from './info'
