'use strict'

// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self and total time
// per function, and self time per source file, so the hot path of a contender is visible
// without opening DevTools. Usage: npx node bench/profile-summary.js FILE [--top N]

const { readFileSync } = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } })
if (positionals.length !== 1) {
  console.error('usage: npx node bench/profile-summary.js FILE.cpuprofile [--top N]')
  process.exit(2)
}
const top = Number(values.top)
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'))

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

// Self time per node, from the samples and the time between them.
const selfUs = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
}

const root = process.cwd()
function where (frame) {
  const url = frame.url === '' ? '' : frame.url.replace(/^file:\/\//, '')
  const file = url === '' ? '' : url.startsWith(root) ? path.relative(root, url) : url
  return { file, key: `${frame.functionName || '(anonymous)'} ${file}${file === '' ? '' : ':' + (frame.lineNumber + 1)}` }
}

const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
const selfByFunction = new Map()
const totalByFunction = new Map()
const selfByFile = new Map()
for (const [id, us] of selfUs) {
  const node = byId.get(id)
  const { file, key } = where(node.callFrame)
  selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + us)
  const fileKey = file === '' ? node.callFrame.functionName : file
  selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + us)
  // Total time: credit each function once per sample, however often it recurses.
  const seen = new Set()
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const k = where(byId.get(at).callFrame).key
    if (seen.has(k)) continue
    seen.add(k)
    totalByFunction.set(k, (totalByFunction.get(k) ?? 0) + us)
  }
}

function print (title, map) {
  console.log(`\n${title}`)
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top)
  for (const [key, us] of rows) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${(100 * us / total).toFixed(1).padStart(5)}%  ${key}`)
  }
}

console.log(`${positionals[0]}: ${(total / 1000).toFixed(1)} ms sampled`)
print('self time by function', selfByFunction)
print('total time by function (self + callees)', totalByFunction)
print('self time by file', selfByFile)
