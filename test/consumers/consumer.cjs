'use strict'
// A CommonJS application loading every package with require() (see drive.cjs): run by the pack
// test against the installed tarballs and a local receiver (LOGSTASH_HOST/PORT).
require('reflect-metadata')
const { drive } = require('./drive.cjs')

drive(process.env.CONSUMER ?? 'cjs', {
  ...require('@logstash-async/core'),
  express: require('express'),
  ...require('@logstash-async/express'),
  Fastify: require('fastify'),
  ...require('@logstash-async/fastify'),
  ...require('@nestjs/common'),
  ...require('@nestjs/core'),
  ...require('@logstash-async/nest')
}).catch((err) => {
  console.error(err)
  process.exitCode = 1
})
