import type { AddressInfo } from 'node:net'
import { LISTEN_USAGE, parseListenArguments, UsageError, useColor } from './args'
import type { InputName } from './inputs/types'
import { Listener } from './listener'
import { createPrinter } from './printer'

/** The streams and process a command talks to (the real ones, or a test's). */
export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
  /** Emits SIGINT and SIGTERM. */
  signals: NodeJS.EventEmitter
}

/**
 * `logstash-async listen`: runs until SIGINT or SIGTERM (or until stdout is closed, as by
 * `| head`), then prints the count of events received. Resolves with the exit status.
 */
export async function listenCommand (argv: readonly string[], io: CommandIo): Promise<number> {
  let args: ReturnType<typeof parseListenArguments>
  try {
    args = parseListenArguments(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.stderr.write(`logstash-async listen: ${err.message}\n\n${LISTEN_USAGE}`)
    return 2
  }
  if (args.help) {
    io.stdout.write(LISTEN_USAGE)
    return 0
  }

  const print = createPrinter({ pretty: args.pretty, color: useColor(args.color, io.stdout.isTTY === true, io.env) })
  let listener: Listener
  try {
    listener = await Listener.start({
      host: args.host,
      ports: args.ports,
      ...(args.tls === undefined ? {} : { tls: args.tls }),
      onEvent: (event, input) => { io.stdout.write(print(event, input)) },
      onInvalid: (input, reason, sample) => {
        io.stderr.write(`logstash-async listen: ${input}: ${reason}${sample === '' ? '' : `: ${sample.slice(0, 200)}`}\n`)
      }
    })
  } catch (err) {
    io.stderr.write(`logstash-async listen: cannot listen: ${(err as Error).message}\n`)
    return 1
  }
  for (const input of listener.inputs) {
    const secure = args.tls !== undefined && input.name !== 'udp' ? ' (tls)' : ''
    io.stderr.write(`listening: ${input.name}${secure} ${formatAddress(input.address)}\n`)
  }

  await stopSignal(io)
  await listener.close()
  io.stderr.write(summary(listener.total, listener.counts, listener.invalid))
  return 0
}

/** `received 5 events (tcp 3, http 2)`, and how many things were not events. */
export function summary (total: number, counts: Readonly<Record<InputName, number>>, invalid: number): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`)
  return `received ${total} event${total === 1 ? '' : 's'}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}` +
    `${invalid > 0 ? `, ${invalid} invalid` : ''}\n`
}

function formatAddress (address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`
}

function stopSignal (io: CommandIo): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      io.signals.off('SIGINT', stop)
      io.signals.off('SIGTERM', stop)
      resolve()
    }
    io.signals.on('SIGINT', stop)
    io.signals.on('SIGTERM', stop)
    // The reader went away (`| head`): nobody is left to print for.
    io.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') stop()
    })
  })
}
