import assert from 'node:assert/strict'
import type { AdapterUnderTest, AppUnderTest } from './adapter-under-test'
import { waitFor } from '../helpers/wait'
import { abandon, get } from './client'
import { EXPRESS_ADAPTERS } from './express-app'
import { FASTIFY_ADAPTER } from './fastify-app'
import { NEST_ADAPTERS } from './nest-app'
import { RecordingSink, type RecordedEvent } from '../helpers/recording-sink'
import { LATE_CHUNK, RouteControl, SKIPPED_PATH, STREAM_CHUNKS } from './routes'

// One request lifecycle, in the core: every adapter, framework and platform must behave the
// same from a request's start to its end.
const ADAPTERS: readonly AdapterUnderTest[] = [...EXPRESS_ADAPTERS, FASTIFY_ADAPTER, ...NEST_ADAPTERS]

const isError = (e: RecordedEvent): boolean => e.error_type !== undefined && e.duration_ms === undefined

for (const adapter of ADAPTERS) {
  describe(`adapter contract: ${adapter.name}`, () => {
    let sink: RecordingSink
    let control: RouteControl
    let app: AppUnderTest

    beforeEach(async () => {
      sink = new RecordingSink()
      control = new RouteControl()
      app = await adapter.start(sink, control)
    })

    afterEach(async () => {
      control.release()
      await app.close()
    })

    it('logs one access event with the status, the body bytes and the response headers', async () => {
      const response = await get(app.url, '/ok', { 'x-request-id': 'ok-1' })
      assert.equal(response.body, 'ok')
      const access = await sink.accessOf('ok-1')
      assert.equal(access.status_code, 200)
      assert.equal(access.level, 'INFO')
      assert.equal(access.aborted, false)
      assert.equal(access.response_bytes, 2)
      assert.match(access.message, /^GET \/ok 200 [\d.]+ms$/)
      const headers = access.resp_headers as Record<string, unknown> | undefined
      assert.equal(headers?.['x-answer'], '42')
      assert.match(String(headers?.['content-type']), /^text\/plain/)
      assert.equal(sink.access('ok-1').length, 1)
    })

    it('counts the bytes of a streamed response, which has no Content-Length', async () => {
      const response = await get(app.url, '/stream', { 'x-request-id': 'stream-1' })
      assert.equal(response.body, STREAM_CHUNKS.join(''))
      assert.equal(response.headers['content-length'], undefined)
      const access = await sink.accessOf('stream-1')
      assert.equal(access.status_code, 200)
      assert.equal(access.response_bytes, Buffer.byteLength(STREAM_CHUNKS.join('')))
    })

    it('logs a request the client abandoned once, as aborted with status 499', async () => {
      abandon(app.url, '/hang', { 'x-request-id': 'gone-1' }, control.entered)
      const access = await sink.accessOf('gone-1')
      assert.equal(access.aborted, true)
      assert.equal(access.status_code, 499)
      assert.equal(access.level, 'WARNING')
      assert.match(access.message, /^GET \/hang aborted after [\d.]+ms$/)
      // The route finishes after the client left; the next request's access event, logged
      // after that, shows that no second event for the abandoned one came in between.
      control.release()
      await get(app.url, '/ok', { 'x-request-id': 'after-1' })
      await sink.accessOf('after-1')
      assert.equal(sink.access('gone-1').length, 1)
    })

    it('logs an error thrown before the headers once, with status 500, then the access event', async () => {
      const response = await get(app.url, '/fail', { 'x-request-id': 'fail-1' })
      assert.equal(response.status, 500)
      const access = await sink.accessOf('fail-1')
      assert.equal(access.status_code, 500)
      assert.equal(access.level, 'ERROR')
      const errors = sink.of('fail-1').filter(isError)
      assert.equal(errors.length, 1)
      const error = errors[0] as RecordedEvent
      assert.equal(error.message, 'boom')
      assert.equal(error.error_type, 'Error')
      assert.match(String(error.stack_trace), /boom/)
      assert.equal(error.status_code, 500)
      assert.equal(error.level, 'ERROR')
      assert.ok(sink.of('fail-1').indexOf(error) < sink.of('fail-1').indexOf(access), 'the error event comes first')
    })

    it('logs an error after the headers once, at ERROR, with the status that was sent, and the cut response as aborted', async () => {
      await get(app.url, '/fail-late', { 'x-request-id': 'late-1' }).catch(() => undefined)
      const access = await sink.accessOf('late-1')
      assert.equal(access.status_code, 200)
      // Every framework cuts a response whose source failed, so the client cannot take it for whole.
      assert.equal(access.aborted, true)
      assert.equal(access.response_bytes, Buffer.byteLength(LATE_CHUNK))
      const errors = sink.of('late-1').filter(isError)
      assert.equal(errors.length, 1, JSON.stringify(sink.of('late-1').map((e) => e.message)))
      const error = errors[0] as RecordedEvent
      assert.equal(error.message, 'source failed')
      assert.equal(error.status_code, 200)
      assert.equal(error.level, 'ERROR')
    })

    it('logs no access event for a route skip() selects, yet gives its events the request fields', async () => {
      await get(app.url, SKIPPED_PATH, { 'x-request-id': 'skip-1' })
      await get(app.url, '/ok', { 'x-request-id': 'after-skip-1' })
      await sink.accessOf('after-skip-1')
      assert.equal(sink.access('skip-1').length, 0)
      const checked = sink.of('skip-1').find((e) => e.message === 'health checked')
      assert.equal(checked?.req_method, 'GET')
      assert.match(String(checked?.req_uri), new RegExp(`^http://127\\.0\\.0\\.1:\\d+${SKIPPED_PATH}$`))
    })

    it('reuses a well-formed incoming request id on every event of the request, and makes one otherwise', async () => {
      await get(app.url, '/ok', { 'x-request-id': 'reused-id-1' })
      await sink.accessOf('reused-id-1')
      assert.deepEqual(sink.of('reused-id-1').map((e) => e.message.replace(/ [\d.]+ms$/, '')), ['in route', 'GET /ok 200'])
      const before = sink.events.length
      await get(app.url, '/ok')
      await get(app.url, '/ok')
      const made = await waitForAccessEvents(sink, before, 2)
      assert.equal(made.length, 2)
      for (const event of made) assert.ok(typeof event.request_id === 'string' && event.request_id !== '', 'an id was made')
      assert.notEqual(made[0]?.request_id, made[1]?.request_id)
    })
  })
}

async function waitForAccessEvents (sink: RecordingSink, after: number, count: number): Promise<RecordedEvent[]> {
  const found = (): RecordedEvent[] => sink.events.slice(after).filter((e) => e.duration_ms !== undefined)
  await waitFor(() => found().length >= count, { message: `${count} access events` })
  return found()
}
