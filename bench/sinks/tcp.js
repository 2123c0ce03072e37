'use strict'

const net = require('node:net')

const NEWLINE = 10

/**
 * JSON lines over TCP: counts newline-terminated lines. It parses nothing, so it costs the
 * contenders as little as possible.
 */
function createTcpSink (counter) {
  return net.createServer((socket) => {
    // The start of this connection's first line, until the sample is taken.
    let partial = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      counter.received(chunk.length)
      if (counter.wantsSample) partial = keepSample(counter, partial, chunk)
      let lines = 0
      let at = chunk.indexOf(NEWLINE)
      while (at !== -1) {
        lines++
        at = chunk.indexOf(NEWLINE, at + 1)
      }
      if (lines > 0) counter.counted(lines)
    })
  })
}

// The first line of the connection (up to SAMPLE_MAX bytes) becomes the run's sample.
function keepSample (counter, partial, chunk) {
  const bytes = Buffer.concat([partial, chunk.subarray(0, counter.SAMPLE_MAX)])
  const end = bytes.indexOf(NEWLINE)
  if (end === -1 && bytes.length < counter.SAMPLE_MAX) return bytes
  counter.sample(bytes.toString('utf8', 0, end === -1 ? counter.SAMPLE_MAX : end))
  return Buffer.alloc(0)
}

module.exports = { createTcpSink }
