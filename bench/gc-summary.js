'use strict'

// Summarises V8's --trace-gc-nvp output per process: scavenges (young generation), the
// bytes that survived each one (what V8 copied), what was promoted, the young generation's
// largest capacity and the full collections, so a change's effect on garbage collection is
// visible in one line per process. Usage:
//   BENCH_NODE_ARGS=--trace-gc-nvp npm run bench -- --only logstash-async --rounds 1 > gc.txt 2>&1
//   npx node bench/gc-summary.js gc.txt
// (the baseline runs too: each process is a line, in the order they started).

const { readFileSync } = require('node:fs')

const file = process.argv[2]
if (file === undefined) {
  console.error('usage: npx node bench/gc-summary.js FILE (the output of a run with BENCH_NODE_ARGS=--trace-gc-nvp)')
  process.exit(2)
}

const byPid = new Map()
for (const line of readFileSync(file, 'utf8').split('\n')) {
  // [pid:isolate:n]  time ms: key=value key=value ...
  const match = /^\[(\d+):[^\]]*\]\s+[\d.]+ ms: (.*gc=.*)$/.exec(line)
  if (match === null) continue
  const fields = Object.fromEntries(match[2].split(' ').map((pair) => pair.split('=')))
  let stats = byPid.get(match[1])
  if (stats === undefined) {
    stats = { scavenges: 0, survived: 0, promoted: 0, scavengeMs: 0, capacity: 0, full: 0, fullMs: 0 }
    byPid.set(match[1], stats)
  }
  const pause = Number(fields.pause)
  if (fields.gc === 's') {
    stats.scavenges++
    stats.survived += Number(fields.new_space_survived)
    stats.promoted += Number(fields.promoted)
    stats.scavengeMs += pause
    stats.capacity = Math.max(stats.capacity, Number(fields.new_space_capacity))
  } else {
    stats.full++
    stats.fullMs += pause
  }
}

const kib = (bytes) => `${Math.round(bytes / 1024)} KiB`
for (const [pid, s] of byPid) {
  const per = Math.max(1, s.scavenges)
  console.log(`pid ${pid}: ${s.scavenges} scavenges (${s.scavengeMs.toFixed(0)} ms), survived ${kib(s.survived / per)} and promoted ${kib(s.promoted / per)} per scavenge, young generation up to ${(s.capacity / 1048576).toFixed(0)} MiB; ${s.full} full collections (${s.fullMs.toFixed(0)} ms)`)
}
