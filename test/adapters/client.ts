import { request, type IncomingHttpHeaders } from 'node:http'

export interface ClientResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A GET over a fresh connection; resolves with the whole response, or rejects if it breaks. */
export async function get (base: string, path: string, headers: Record<string, string> = {}): Promise<ClientResponse> {
  return await new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { agent: false, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
      res.on('aborted', () => reject(new Error('the response was cut off')))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A GET whose client goes away once `inside` resolves (the route is running), before any answer. */
export function abandon (base: string, path: string, headers: Record<string, string>, inside: Promise<void>): void {
  const req = request(new URL(path, base), { agent: false, headers })
  req.on('error', () => {})
  req.end()
  void inside.then(() => req.destroy())
}
