import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A key and its certificate, both PEM. */
export interface KeyPair {
  key: string
  cert: string
}

/** A throw-away PKI for TLS tests; every string is PEM. */
export interface TestPki {
  /** The CA that signed `server`, `wrongHost` and `client`. */
  ca: string
  /** Signed by `ca`, for DNS:localhost, IP:127.0.0.1 and IP:::1. */
  server: KeyPair
  /** Signed by `ca`, for DNS:wrong.example only: the chain verifies, the host name does not. */
  wrongHost: KeyPair
  /** Signed by `ca`, for client authentication (mutual TLS). */
  client: KeyPair
  /** A second CA that signed nothing the servers use. */
  otherCa: string
  /** Self-signed, for DNS:localhost and IP:127.0.0.1: verifies against nothing. */
  selfSigned: KeyPair
}

let cached: TestPki | undefined

/**
 * The PKI of this test run, generated with the `openssl` CLI on first use and kept for the
 * rest of the run. EC P-256 keys keep it to a fraction of a second; the certificates are
 * valid for a day and the directory that held them is gone before this returns.
 */
export function testPki (): TestPki {
  cached ??= generate()
  return cached
}

function generate (): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'logstash-async-pki-'))
  try {
    const pki = new Openssl(dir)
    const ca = pki.selfSigned('ca', 'logstash-async test CA', CA_EXTENSIONS)
    const otherCa = pki.selfSigned('other-ca', 'logstash-async unrelated CA', CA_EXTENSIONS)
    return {
      ca: ca.cert,
      server: pki.signed('server', 'localhost', ca, serverExtensions('DNS:localhost, IP:127.0.0.1, IP:::1')),
      wrongHost: pki.signed('wrong-host', 'wrong.example', ca, serverExtensions('DNS:wrong.example')),
      client: pki.signed('client', 'logstash-async test client', ca, CLIENT_EXTENSIONS),
      otherCa: otherCa.cert,
      selfSigned: pki.selfSigned('self-signed', 'localhost',
        'basicConstraints = critical, CA:FALSE\nsubjectAltName = DNS:localhost, IP:127.0.0.1\nextendedKeyUsage = serverAuth\n')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const CA_EXTENSIONS = [
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign, cRLSign',
  'subjectKeyIdentifier = hash',
  ''
].join('\n')

const CLIENT_EXTENSIONS = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = clientAuth',
  'authorityKeyIdentifier = keyid',
  ''
].join('\n')

function serverExtensions (subjectAltName: string): string {
  return [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    'authorityKeyIdentifier = keyid',
    `subjectAltName = ${subjectAltName}`,
    ''
  ].join('\n')
}

// Our own minimal config, so the machine's openssl.cnf (and its default extensions) cannot
// change what is generated.
const REQ_CONFIG = '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = placeholder\n'

class Openssl {
  readonly #dir: string
  readonly #config: string

  constructor (dir: string) {
    this.#dir = dir
    this.#config = this.#write('req.cnf', REQ_CONFIG)
  }

  /** A new key and a certificate signed by that same key. */
  selfSigned (name: string, commonName: string, extensions: string): KeyPair {
    const csr = this.#request(name, commonName)
    return this.#sign(name, csr, extensions, ['-signkey', this.#path(`${name}.key`)])
  }

  /** A new key and a certificate signed by `issuer`. */
  signed (name: string, commonName: string, issuer: KeyPair, extensions: string): KeyPair {
    const csr = this.#request(name, commonName)
    const issuerCert = this.#write(`${name}-issuer.crt`, issuer.cert)
    const issuerKey = this.#write(`${name}-issuer.key`, issuer.key)
    return this.#sign(name, csr, extensions, ['-CA', issuerCert, '-CAkey', issuerKey])
  }

  #request (name: string, commonName: string): string {
    const csr = this.#path(`${name}.csr`)
    this.#run(['req', '-new', '-config', this.#config, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-nodes', '-keyout', this.#path(`${name}.key`), '-subj', `/CN=${commonName}`, '-out', csr])
    return csr
  }

  #sign (name: string, csr: string, extensions: string, signer: string[]): KeyPair {
    const extfile = this.#write(`${name}.ext`, extensions)
    const cert = this.#path(`${name}.crt`)
    this.#run(['x509', '-req', '-in', csr, ...signer, '-days', '1', '-sha256',
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-extfile', extfile, '-out', cert])
    return { key: readFileSync(this.#path(`${name}.key`), 'utf8'), cert: readFileSync(cert, 'utf8') }
  }

  #run (args: string[]): void {
    try {
      execFileSync('openssl', args, { cwd: this.#dir, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? ''
      throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim() || (err as Error).message}`, { cause: err })
    }
  }

  #write (file: string, text: string): string {
    const path = this.#path(file)
    writeFileSync(path, text)
    return path
  }

  #path (file: string): string {
    return join(this.#dir, file)
  }
}
