import { ackFrame, LumberjackDecoder, LumberjackProtocolError, type LumberjackFrame } from '../lumberjack'
import { listenStream } from './stream-server'
import { parseEvent, type Input, type InputOptions } from './types'

/**
 * A Logstash beats input: decodes Lumberjack frames and acknowledges each window with
 * `2A <seq of its last event>` once every event of the window arrived.
 */
export async function startBeatsInput (options: InputOptions): Promise<Input> {
  const server = await listenStream(options, (socket) => {
    const decoder = new LumberjackDecoder()
    let windowSize = 0
    let received = 0
    let version = 0x32
    const handle = (frame: LumberjackFrame): void => {
      if (frame.type === 'window') {
        windowSize = frame.size
        received = 0
        version = frame.version
        return
      }
      if (frame.type === 'json') parseEvent('beats', frame.payload.toString('utf8'), options.sink)
      else options.sink.event('beats', frame.fields)
      received++
      // Without a window frame first, each event is its own window.
      if (received >= windowSize) {
        socket.write(ackFrame(frame.seq, version))
        received = 0
      }
    }
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) handle(frame)
      } catch (err) {
        if (!(err instanceof LumberjackProtocolError)) throw err
        options.sink.invalid('beats', `${err.message}; connection closed`, chunk.subarray(0, 64).toString('hex'))
        socket.destroy()
      }
    })
  })
  return { name: 'beats', address: server.address, close: server.close }
}
