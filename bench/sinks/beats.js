'use strict'

const net = require('node:net')
const path = require('node:path')

// The frame reader of `logstash-async listen`, from the built core: not an export of the package.
const core = path.dirname(require.resolve('@logstash-async/core/package.json'))
const { ackFrame, LumberjackDecoder, LumberjackProtocolError } = require(path.join(core, 'dist', 'cli', 'lumberjack.js'))

/**
 * Lumberjack v2, what Logstash's beats input speaks: `2W <count>` opens a window, `2J <seq>
 * <len> <json>` frames carry the events, plain or inside a `2C` (zlib) frame, and the window
 * is acknowledged with `2A <seq of its last event>` once every event arrived. Frames are read
 * by the core's own decoder (the one of `logstash-async listen`), which inflates `2C` frames
 * and cuts out each event's bytes without parsing them: an event is counted per `J` frame,
 * not JSON-parsed.
 */
function createBeatsSink (counter) {
  return net.createServer((socket) => {
    // As Logstash's beats input (Netty enables TCP_NODELAY by default): an ACK queued behind
    // an earlier one is not held back waiting for our delayed TCP acknowledgement.
    socket.setNoDelay(true)
    const decoder = new LumberjackDecoder()
    let windowSize = 0
    let inWindow = 0
    let version = 0x32
    socket.on('data', (chunk) => {
      counter.received(chunk.length)
      let frames
      try {
        frames = decoder.push(chunk)
      } catch (err) {
        if (!(err instanceof LumberjackProtocolError)) throw err
        console.error(`beats sink: ${err.message}; connection closed`)
        socket.destroy()
        return
      }
      let events = 0
      for (const frame of frames) {
        if (frame.type === 'window') {
          windowSize = frame.size
          inWindow = 0
          version = frame.version
          continue
        }
        events++
        if (counter.wantsSample && frame.type === 'json') counter.sample(frame.payload.toString('utf8', 0, counter.SAMPLE_MAX))
        // Without a window frame first, each event is its own window (as the core's input does).
        if (++inWindow >= windowSize) {
          socket.write(ackFrame(frame.seq, version))
          inWindow = 0
        }
      }
      if (events > 0) counter.counted(events)
    })
  })
}

module.exports = { createBeatsSink }
