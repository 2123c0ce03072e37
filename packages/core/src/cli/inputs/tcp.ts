import { StringDecoder } from 'node:string_decoder'
import { listenStream } from './stream-server'
import { parseEvent, type Input, type InputOptions } from './types'

/** Longest line kept waiting for its newline; a longer one is not an event. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024

/** A Logstash tcp input with the json_lines codec: one JSON event per line. */
export async function startTcpInput (options: InputOptions): Promise<Input> {
  const server = await listenStream(options, (socket) => {
    const decoder = new StringDecoder('utf8')
    let pending = ''
    const line = (text: string): void => {
      const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text
      if (trimmed.trim() !== '') parseEvent('tcp', trimmed, options.sink)
    }
    socket.on('data', (chunk: Buffer) => {
      pending += decoder.write(chunk)
      let newline: number
      while ((newline = pending.indexOf('\n')) !== -1) {
        line(pending.slice(0, newline))
        pending = pending.slice(newline + 1)
      }
      if (pending.length > MAX_LINE_BYTES) {
        options.sink.invalid('tcp', `a line longer than ${MAX_LINE_BYTES} bytes; connection closed`, pending.slice(0, 200))
        pending = ''
        socket.destroy()
      }
    })
    // A last line without its newline is still an event, as Logstash reads it.
    socket.on('end', () => line(pending + decoder.end()))
  })
  return { name: 'tcp', address: server.address, close: server.close }
}
