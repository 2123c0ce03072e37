import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * `openssl s_server` on loopback, for TLS behaviour Node's own server cannot show (it
 * always sends TLS 1.3 session tickets; this one can send none). What clients send ends
 * up in `output` (s_server writes received data unbuffered, unlike its own messages).
 */
export class OpensslServer {
  output = ''
  readonly port: number
  readonly #child: ChildProcessWithoutNullStreams
  readonly #dir: string

  private constructor (child: ChildProcessWithoutNullStreams, dir: string, port: number) {
    this.#child = child
    this.#dir = dir
    this.port = port
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { this.output += chunk })
    child.stderr.resume()
    child.on('error', () => {})
  }

  static async start ({ key, cert, args = [] }: { key: string, cert: string, args?: string[] }): Promise<OpensslServer> {
    const dir = mkdtempSync(join(tmpdir(), 'logstash-async-s_server-'))
    writeFileSync(join(dir, 'key.pem'), key)
    writeFileSync(join(dir, 'cert.pem'), cert)
    // s_server does not say which port it got (its messages stay in a buffer): pick a free one.
    const port = await freePort()
    // stdin stays open: s_server would take its end as the end of the session.
    const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-key', 'key.pem', '-cert', 'cert.pem', '-brief', ...args], { cwd: dir })
    const server = new OpensslServer(child, dir, port)
    try {
      await server.#waitUntilListening()
    } catch (err) {
      await server.close()
      throw err
    }
    return server
  }

  async close (): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
      this.#child.kill()
      await exited
    }
    rmSync(this.#dir, { recursive: true, force: true })
  }

  // A plain TCP probe; s_server logs the failed handshake and keeps serving.
  async #waitUntilListening (timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.#child.exitCode !== null) throw new Error(`openssl s_server exited with code ${this.#child.exitCode}`)
      const listening = await new Promise<boolean>((resolve) => {
        const probe = connect(this.port, '127.0.0.1', () => { probe.destroy(); resolve(true) })
        probe.on('error', () => resolve(false))
      })
      if (listening) return
      if (Date.now() > deadline) throw new Error(`openssl s_server did not listen on port ${this.port} within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => setTimeout(resolve, 10))
    }
  }
}

function freePort (): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
