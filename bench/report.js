'use strict'

// Turns the runs into the printed table: medians over the rounds, ratios against the
// baseline's medians, and the targets of issue 2 checked for every contender.

const TARGETS = Object.freeze({
  mainCpuPerEvent: { max: 0.9, label: 'main-thread CPU/event <= 0.9x baseline' },
  eventsPerSecond: { min: 0.9, label: 'events/s >= 0.9x baseline' },
  peakRss: { max: 1.2, label: 'peak RSS <= 1.2x baseline' }
})

/** Per-run figures derived from what the child and the sink measured. */
function derive (result) {
  return {
    mainCpuPerEvent: result.mainCpuUs / result.events,
    processCpuPerEvent: result.processCpuUs / result.events,
    eventsPerSecond: result.received / (result.activeMs / 1000),
    peakRss: result.maxRssKiB / 1024,
    bytesPerEvent: result.received === 0 ? 0 : result.bytes / result.received,
    sinkCpuPerEvent: result.sinkCpuUs / result.events,
    lost: result.lost
  }
}

function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const RATIO_KEYS = ['mainCpuPerEvent', 'eventsPerSecond', 'peakRss']

/**
 * Per contender: medians over the rounds (lost: the worst round), the spread of main-thread
 * CPU, and the ratios to the baseline. A ratio is the median of the per-round ratios, each
 * against the baseline's run of the same round: runs minutes apart on a shared machine see
 * different load, runs of one round much the same.
 */
function summarise (contenders, runs) {
  const baseline = contenders.find((c) => c.baseline)
  const baselineByRound = new Map(runs.filter((r) => r.id === baseline?.id && r.result !== undefined).map((r) => [r.round, derive(r.result)]))
  const rows = []
  for (const contender of contenders) {
    const own = runs.filter((r) => r.id === contender.id && r.result !== undefined)
    const figures = own.map((r) => derive(r.result))
    if (figures.length === 0) { rows.push({ contender, rounds: 0 }); continue }
    const pick = (key) => median(figures.map((f) => f[key]))
    const cpus = figures.map((f) => f.mainCpuPerEvent)
    rows.push({
      contender,
      rounds: figures.length,
      mainCpuPerEvent: pick('mainCpuPerEvent'),
      cpuSpread: (Math.max(...cpus) - Math.min(...cpus)) / median(cpus),
      processCpuPerEvent: pick('processCpuPerEvent'),
      eventsPerSecond: pick('eventsPerSecond'),
      peakRss: pick('peakRss'),
      bytesPerEvent: pick('bytesPerEvent'),
      sinkCpuPerEvent: pick('sinkCpuPerEvent'),
      lost: Math.max(...figures.map((f) => f.lost)),
      ratios: pairedRatios(own, baselineByRound)
    })
  }
  return rows
}

function pairedRatios (own, referenceByRound) {
  const perRound = own.filter((r) => referenceByRound.has(r.round)).map((r) => {
    const f = derive(r.result)
    const b = referenceByRound.get(r.round)
    return Object.fromEntries(RATIO_KEYS.map((key) => [key, f[key] / b[key]]))
  })
  if (perRound.length === 0) return undefined
  return Object.fromEntries(RATIO_KEYS.map((key) => [key, median(perRound.map((p) => p[key]))]))
}

function meets (key, ratio) {
  const t = TARGETS[key]
  return t.max !== undefined ? ratio <= t.max : ratio >= t.min
}

function table (rows) {
  const header = ['contender', 'main CPU us/ev', 'x base', 'spread', 'events/s', 'x base', 'peak RSS MiB', 'x base', 'proc CPU us/ev', 'sink CPU us/ev', 'bytes/ev', 'lost', 'rounds']
  const lines = [header]
  for (const row of rows) {
    if (row.rounds === 0) { lines.push([row.contender.id, 'failed', ...new Array(header.length - 3).fill(''), '0']); continue }
    const r = row.ratios
    const ratio = (key) => r === undefined ? '' : r[key].toFixed(2) + (row.contender.baseline ? '' : meets(key, r[key]) ? ' ok' : ' NO')
    lines.push([
      row.contender.id,
      row.mainCpuPerEvent.toFixed(2),
      ratio('mainCpuPerEvent'),
      '±' + Math.round(row.cpuSpread * 50) + '%',
      Math.round(row.eventsPerSecond).toLocaleString('en-US'),
      ratio('eventsPerSecond'),
      row.peakRss.toFixed(1),
      ratio('peakRss'),
      row.processCpuPerEvent.toFixed(2),
      row.sinkCpuPerEvent.toFixed(2),
      Math.round(row.bytesPerEvent).toString(),
      row.lost.toString(),
      row.rounds.toString()
    ])
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)))
  const format = (l) => l.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join('  ')
  return [format(lines[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(format)].join('\n')
}

/** The contender the other transports are compared with: our handler over TCP. */
const TCP_REFERENCE = 'logstash-async'

/**
 * Every contender of ours that speaks another protocol (Beats, HTTP) or sends to several
 * hosts against `logstash-async` (TCP, one host), as medians of per-round ratios like the
 * table's; empty when the TCP contender did not run.
 */
function transportSummary (contenders, runs) {
  const byRound = new Map(runs.filter((r) => r.id === TCP_REFERENCE && r.result !== undefined).map((r) => [r.round, derive(r.result)]))
  const others = contenders.filter((c) => (c.protocol !== undefined && c.protocol !== 'tcp') || (c.hosts ?? 1) > 1)
  if (byRound.size === 0 || others.length === 0) return ''
  const lines = [`against ${TCP_REFERENCE} (TCP), medians of the per-round ratios:`]
  const width = Math.max(...others.map((c) => c.id.length))
  for (const contender of others) {
    const ratios = pairedRatios(runs.filter((r) => r.id === contender.id && r.result !== undefined), byRound)
    if (ratios === undefined) { lines.push(`${contender.id.padEnd(width)}  no paired rounds`); continue }
    lines.push(`${contender.id.padEnd(width)}  events/s ${ratios.eventsPerSecond.toFixed(2)}x  main CPU/event ${ratios.mainCpuPerEvent.toFixed(2)}x  peak RSS ${ratios.peakRss.toFixed(2)}x`)
  }
  return lines.join('\n')
}

/**
 * Each contender of ours against the peer it must at least match: the hand-written writer of
 * the same event (issue 11), and the established library for the same logger (issue 12).
 */
const PEERS = [
  ['logstash-async', 'baseline-logstash', 'the same event written by hand'],
  ['pino-logstash-destination', 'pino-socket-main', 'pino-socket on the main thread'],
  ['pino-logstash-target', 'pino', "pino-socket's target"],
  ['winston-logstash-async', 'winston', 'winston-logstash']
]

/** `PEERS` whose two contenders both ran, as medians of per-round ratios; '' when none did. */
function peerSummary (runs) {
  const lines = []
  for (const [ours, peer, label] of PEERS) {
    const byRound = new Map(runs.filter((r) => r.id === peer && r.result !== undefined).map((r) => [r.round, derive(r.result)]))
    const ratios = byRound.size === 0 ? undefined : pairedRatios(runs.filter((r) => r.id === ours && r.result !== undefined), byRound)
    if (ratios === undefined) continue
    lines.push(`${ours} against ${peer} (${label}): main CPU/event ${ratios.mainCpuPerEvent.toFixed(2)}x, events/s ${ratios.eventsPerSecond.toFixed(2)}x, peak RSS ${ratios.peakRss.toFixed(2)}x`)
  }
  return lines.length === 0 ? '' : ['against their peers, medians of the per-round ratios:', ...lines].join('\n')
}

function targetSummary (rows) {
  const out = []
  for (const row of rows) {
    if (!row.contender.target || row.ratios === undefined) continue
    for (const key of Object.keys(TARGETS)) {
      const ratio = row.ratios[key]
      out.push(`${row.contender.id}: ${TARGETS[key].label}: ${ratio.toFixed(2)}x ${meets(key, ratio) ? 'met' : 'MISSED'}`)
    }
  }
  return out.join('\n')
}

module.exports = { derive, median, peerSummary, summarise, table, targetSummary, transportSummary, TARGETS }
