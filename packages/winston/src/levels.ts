import { isLevel, type Level } from '@logstash-async/core'

/**
 * winston's level names as ours: the npm set (winston's default), the syslog set
 * (`winston.config.syslog`) and the cli set. A name in neither, a custom level, is `info`
 * unless `levelMap` says otherwise.
 */
export const WINSTON_LEVELS: Readonly<Record<string, Level>> = Object.freeze({
  // npm: error 0, warn 1, info 2, http 3, verbose 4, debug 5, silly 6
  error: 'error',
  warn: 'warn',
  info: 'info',
  http: 'info',
  verbose: 'debug',
  debug: 'debug',
  silly: 'trace',
  // syslog: emerg 0, alert 1, crit 2, error 3, warning 4, notice 5, info 6, debug 7
  emerg: 'fatal',
  alert: 'fatal',
  crit: 'fatal',
  warning: 'warn',
  notice: 'info',
  // cli: error, warn, help, data, info, debug, prompt, verbose, input, silly
  help: 'info',
  data: 'info',
  prompt: 'debug',
  input: 'debug',
  // ours, for loggers given our names as custom levels
  trace: 'trace',
  fatal: 'fatal'
})

/** A winston level as ours, and winston's name when it is not one of ours (`http`, `notice`, a custom level). */
export function mapWinstonLevel (name: unknown, levelMap: Readonly<Record<string, Level>> | undefined): { level: Level, custom: string | undefined } {
  if (typeof name !== 'string') return { level: 'info', custom: undefined }
  const level = (levelMap !== undefined && Object.hasOwn(levelMap, name) ? levelMap[name] : undefined) ??
    (Object.hasOwn(WINSTON_LEVELS, name) ? WINSTON_LEVELS[name] : undefined) ?? 'info'
  return { level, custom: isLevel(name) ? undefined : name }
}
