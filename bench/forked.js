'use strict'

// The micro-benchmarks (format.js, cache-full.js) measure each job in a fresh process: this
// forks `file` with `--child <job as JSON>` and resolves with the one message it sends back.

const { fork } = require('node:child_process')

function measureInChild (file, job) {
  return new Promise((resolve, reject) => {
    const child = fork(file, ['--child', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.once('message', resolve)
    child.once('error', reject)
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`child exited with ${code}`)) })
  })
}

module.exports = { measureInChild }
