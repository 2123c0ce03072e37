#!/usr/bin/env node
import { VERSION } from '../version'
import { listenCommand } from './listen-command'

const USAGE = `Usage: logstash-async <command> [options]

Commands:
  listen      receive events as Logstash would and print them (logstash-async listen --help)

Options:
  -h, --help     this text
  -v, --version  the version of @logstash-async/core
`

async function main (argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'listen':
      return listenCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, signals: process })
    case '-v':
    case '--version':
      process.stdout.write(`${VERSION}\n`)
      return 0
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE)
      return 0
    default:
      process.stderr.write(`logstash-async: unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`logstash-async: ${(err as Error)?.stack ?? String(err)}\n`)
    process.exitCode = 1
  }
)
