import assert from 'node:assert/strict'
import type { AddressInfo, Server } from 'node:net'
import request from 'supertest'
import { type FormatName, type Pipeline, REQUEST_FIELDS, field, levelName, levelOf, userField } from './pipeline'

/** The status `/items/:n` answers: every tenth request a 404, to see the level follow it. */
export function itemStatus (n: number): number {
  return n % 10 === 0 ? 404 : 200
}

/**
 * Sends `count` concurrent `GET /items/<n>?q=<n>` requests (each with its own `x-request-id`
 * and User-Agent) to an app that logs one line per request and an access line, then checks
 * that each request has exactly its two events, both with its own id, URL and User-Agent.
 * Returns each request's line and access events for the caller's own checks.
 */
export async function sendConcurrentRequests (server: Server, pipeline: Pipeline, count: number): Promise<{ line: Record<string, unknown>, access: Record<string, unknown>, n: number }[]> {
  const format: FormatName = pipeline.format
  const port = (server.address() as AddressInfo).port
  await Promise.all(Array.from({ length: count }, (_, n) =>
    request(`http://127.0.0.1:${port}`).get(`/items/${n}?q=${n}`).set('x-request-id', `req-${n}`).set('user-agent', `agent-${n}`).expect(itemStatus(n))))
  const events = await pipeline.events(2 * count, 20_000)
  assert.equal(events.length, 2 * count)
  return Array.from({ length: count }, (_, n) => {
    const mine = events.filter((e) => field(e, format, REQUEST_FIELDS.id) === `req-${n}`)
    assert.equal(mine.length, 2, `request ${n}: ${mine.length} events`)
    for (const event of mine) {
      assert.equal(field(event, format, REQUEST_FIELDS.method), 'GET')
      assert.equal(field(event, format, REQUEST_FIELDS.path), format === 'ecs' ? `/items/${n}` : `http://127.0.0.1:${port}/items/${n}?q=${n}`)
      assert.equal(field(event, format, REQUEST_FIELDS.userAgent), `agent-${n}`)
    }
    const [line, access] = mine as [Record<string, unknown>, Record<string, unknown>]
    assert.equal(line.message, 'item looked up')
    assert.equal(userField(line, format, 'item'), format === 'ecs' ? String(n) : n)
    assert.equal(field(access, format, REQUEST_FIELDS.status), itemStatus(n))
    assert.equal(levelOf(access, format), levelName(itemStatus(n) === 404 ? 'warn' : 'info', format))
    return { line, access, n }
  })
}
