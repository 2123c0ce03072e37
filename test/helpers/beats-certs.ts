import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A throw-away PKI for TLS tests: a CA, a server certificate for 127.0.0.1/localhost, a client certificate. */
export interface TestCertificates {
  ca: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** A second CA that signed nothing here: trusting it alone must fail verification. */
  otherCa: string
}

let cached: TestCertificates | undefined

/**
 * Generates the certificates once per test run with the `openssl` CLI (EC P-256 keys, fast),
 * in a temporary directory that is removed before returning.
 */
export function testCertificates (): TestCertificates {
  cached ??= generate()
  return cached
}

function generate (): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'logstash-async-certs-'))
  const file = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }) }
  try {
    const selfSigned = (name: string, subject: string): void => openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
    selfSigned('ca', '/CN=logstash-async test CA')
    selfSigned('other-ca', '/CN=logstash-async other CA')
    const leaf = (name: string, subject: string, extensions: string): void => {
      openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject)
      writeFileSync(file(`${name}.ext`), extensions)
      openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'),
        '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', file(`${name}.ext`))
    }
    leaf('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
    leaf('client', '/CN=logstash-async test client', 'extendedKeyUsage=clientAuth\n')
    const read = (name: string): string => readFileSync(file(name), 'utf8')
    return {
      ca: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
      otherCa: read('other-ca.crt')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
