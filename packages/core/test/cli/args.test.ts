import assert from 'node:assert/strict'
import { join } from 'node:path'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { parseListenArguments, useColor, UsageError } = coreInternal<typeof import('../../src/cli/args')>('cli/args.js')
const FIXTURES = join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'tls')

describe('logstash-async listen: the command line', () => {
  it('listens on tcp 5959, the handler\'s default, when no input is named', () => {
    assert.deepEqual(parseListenArguments([]).ports, { tcp: 5959 })
  })

  it('takes any subset of --tcp, --udp, --beats and --http, port 0 included', () => {
    assert.deepEqual(parseListenArguments(['--udp', '0', '--beats', '5044', '--http=8080']).ports, { udp: 0, beats: 5044, http: 8080 })
  })

  it('listens on 127.0.0.1 unless --host says otherwise', () => {
    assert.equal(parseListenArguments([]).host, '127.0.0.1')
    assert.equal(parseListenArguments(['--host', '::']).host, '::')
  })

  it('refuses a port that is not a number 0-65535, naming the option and the value', () => {
    assert.throws(() => parseListenArguments(['--tcp', '80a']), (err: unknown) => err instanceof UsageError && err.message === '--tcp must be a port number 0-65535, got "80a"')
    assert.throws(() => parseListenArguments(['--http', '70000']), /--http must be a port number 0-65535, got "70000"/)
  })

  it('refuses an unknown option', () => {
    assert.throws(() => parseListenArguments(['--tpc', '1']), UsageError)
  })

  it('turns TLS on with --tls-cert and --tls-key, and client certificates on with --tls-ca', () => {
    const tls = parseListenArguments(['--tls-cert', join(FIXTURES, 'localhost.crt'), '--tls-key', join(FIXTURES, 'localhost.key'), '--tls-ca', join(FIXTURES, 'localhost.crt')]).tls
    assert.ok(Buffer.isBuffer(tls?.cert) && Buffer.isBuffer(tls?.key))
    assert.equal(tls?.requestCert, true)
    assert.equal(tls?.rejectUnauthorized, true)
    assert.equal(parseListenArguments([]).tls, undefined)
  })

  it('refuses half a TLS configuration and an unreadable file', () => {
    assert.throws(() => parseListenArguments(['--tls-cert', join(FIXTURES, 'localhost.crt')]), /TLS needs both --tls-cert and --tls-key, got only --tls-cert/)
    assert.throws(() => parseListenArguments(['--tls-cert', '/nonexistent.crt', '--tls-key', '/nonexistent.key']), /--tls-cert: cannot read \/nonexistent\.crt: ENOENT/)
  })

  it('colours pretty output on a terminal, never with NO_COLOR, always when asked', () => {
    assert.equal(useColor(undefined, true, {}), true)
    assert.equal(useColor(undefined, false, {}), false)
    assert.equal(useColor(undefined, true, { NO_COLOR: '1' }), false)
    assert.equal(useColor(undefined, false, { FORCE_COLOR: '1' }), true)
    assert.equal(useColor(true, false, { NO_COLOR: '1' }), true)
    assert.equal(useColor(false, true, {}), false)
    assert.equal(parseListenArguments(['--no-color']).color, false)
  })
})
