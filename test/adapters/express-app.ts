import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5, { type NextFunction, type Request, type Response } from 'express'
import express4 from 'express4'
import { createLogger } from '@logstash-async/core'
import { logstashErrorMiddleware, logstashMiddleware } from '@logstash-async/express'
import type { AdapterUnderTest } from './adapter-under-test'
import { chunkedSource, isSkippedPath, LATE_CHUNK, STREAM_CHUNKS } from './routes'

function expressAdapter (name: string, express: typeof express5): AdapterUnderTest {
  return {
    name,
    async start (sink, control) {
      const log = createLogger({ handler: sink, name: 'route' })
      const app = express()
      // Express's final handler prints the errors it answers, but not in its 'test' env.
      app.set('env', 'test')
      app.use(logstashMiddleware({ handler: sink, skip: (req) => isSkippedPath(req.originalUrl) }))
      app.get('/ok', (_req, res) => {
        log.info('in route')
        res.set('x-answer', '42').type('text/plain').send('ok')
      })
      app.get('/stream', (_req, res) => {
        res.type('text/plain')
        chunkedSource(STREAM_CHUNKS).pipe(res)
      })
      app.get('/hang', async (_req, res) => {
        control.enter()
        await control.released
        res.send('late')
      })
      app.get('/fail', () => { throw new Error('boom') })
      app.get('/fail-late', (_req: Request, res: Response, next: NextFunction) => {
        res.type('text/plain')
        const source = chunkedSource([LATE_CHUNK], new Error('source failed'))
        source.on('error', next)
        source.pipe(res)
      })
      app.get('/health', (_req, res) => {
        log.info('health checked')
        res.send('ok')
      })
      app.use(logstashErrorMiddleware())
      const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        async close () {
          server.closeAllConnections()
          await new Promise<void>((resolve) => server.close(() => resolve()))
        }
      }
    }
  }
}

export const EXPRESS_ADAPTERS: readonly AdapterUnderTest[] = [
  expressAdapter('Express 5', express5),
  expressAdapter('Express 4', express4 as unknown as typeof express5)
]
