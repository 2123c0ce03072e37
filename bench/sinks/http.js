'use strict'

const http = require('node:http')

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * What Logstash's http input takes from the http transport: a POST of a JSON array of
 * events. Answers 200 once the body is complete and counts the array's elements then, as
 * the body streams in, without parsing it (`ArrayObjectCounter`). A request that is not a
 * POST gets 405 and counts nothing.
 */
function createHttpSink (counter) {
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      req.resume()
      res.writeHead(405, { 'content-length': 0 }).end()
      return
    }
    const objects = new ArrayObjectCounter()
    // The whole body of the run's first request, to show its first event as the sample.
    const kept = counter.wantsSample ? [] : undefined
    req.on('data', (chunk) => {
      counter.received(chunk.length)
      objects.push(chunk)
      kept?.push(chunk)
    })
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 2 }).end('ok')
      if (kept !== undefined && counter.wantsSample) counter.sample(firstElement(kept))
      if (objects.count > 0) counter.counted(objects.count)
    })
  })
  // Keep-alive connections live as long as the client keeps them (the transport's agent).
  server.keepAliveTimeout = 60_000
  return server
}

/**
 * Counts the objects of a JSON array, the body split anywhere: a byte loop that skips the
 * contents of strings (escapes included) and counts each `{` that opens at the array's own
 * level. As correct as JSON.parse for an array of objects, about a tenth of its cost here
 * (0.47 us per 651-byte event against 4.8) and nothing allocated; it does not validate (a
 * receiver would, and so pays more).
 */
class ArrayObjectCounter {
  count = 0
  #depth = 0
  #inString = false
  #escaped = false

  push (chunk) {
    let depth = this.#depth
    let inString = this.#inString
    let escaped = this.#escaped
    let count = 0
    const length = chunk.length
    let i = 0
    while (i < length) {
      if (inString) {
        if (escaped) {
          escaped = false
          i++
          continue
        }
        // Most bytes are inside strings: skip to the next quote or backslash in a tight loop.
        let byte = chunk[i]
        while (byte !== QUOTE && byte !== BACKSLASH && ++i < length) byte = chunk[i]
        if (i === length) break
        if (byte === QUOTE) inString = false
        else escaped = true
        i++
        continue
      }
      const byte = chunk[i++]
      if (byte === QUOTE) {
        inString = true
      } else if (byte === OPEN_BRACE) {
        if (depth === 1) count++
        depth++
      } else if (byte === OPEN_BRACKET) {
        depth++
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--
      }
    }
    this.#depth = depth
    this.#inString = inString
    this.#escaped = escaped
    this.count += count
  }
}

function firstElement (chunks) {
  try {
    const events = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return Array.isArray(events) && events.length > 0 ? JSON.stringify(events[0]) : '(empty array)'
  } catch (err) {
    return `(not a JSON array: ${err.message})`
  }
}

module.exports = { createHttpSink, ArrayObjectCounter }
