import assert from 'node:assert/strict'
import { EcsFormatter, LogstashFormatter, type Formatter, type LogRecord, type RequestContext } from '@logstash-async/core'
import { inspect } from 'node:util'
import { fuzzedFields, Random } from '../../../../test/helpers/fuzz-values'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { keepRequestParts } = coreInternal<typeof import('../../src/formatters/request-json')>('formatters/request-json')

// Two values of every field of RequestContext (the compiler insists on each one): the
// formatter keeps a request's fields while the context holds the same values, and must see
// a change of any of them.
const VALUES = {
  id: ['r-1', 'r-2'],
  method: ['GET', 'POST'],
  url: ['/a?x=1', '/b'],
  path: ['/a', '/b'],
  route: ['/a', '/:id'],
  protocol: ['http', 'https'],
  host: ['shop.example', 'other.example'],
  port: [8080, 8443],
  ip: ['203.0.113.7', '198.51.100.1'],
  remotePort: [50000, 50001],
  userAgent: ['curl/8', 'Mozilla/5.0'],
  referer: ['https://a.example/', 'https://b.example/'],
  forwardedProto: ['http', 'https'],
  forwardedFor: [['203.0.113.7'], ['203.0.113.7', '10.0.0.1']],
  httpVersion: ['1.1', '2'],
  user: ['alice', 'bob'],
  startTime: [1, 2],
  statusCode: [200, 503],
  headers: [{ accept: 'text/html' }, { accept: 'application/json' }],
  responseHeaders: [{ 'content-type': 'text/html' }, { 'content-type': 'application/json' }],
  framework: [{ name: 'express', version: '5.1.0' }, { name: 'fastify', version: '5.2.0' }],
  fields: [{ tenant: 'acme' }, { tenant: 'globex', plan: 'pro' }]
} satisfies { [K in keyof Required<RequestContext>]: [RequestContext[K], RequestContext[K]] }

const TIME = Date.UTC(2026, 11, 6, 7, 0, 0, 123)

// A context as adapters make them: with the slot where a formatter keeps its request fields.
function adapterContext (values: RequestContext): RequestContext {
  keepRequestParts(values)
  return values
}

function firstValues (): RequestContext {
  const context: Record<string, unknown> = {}
  for (const [key, [first]] of Object.entries(VALUES)) context[key] = first
  return adapterContext(context as unknown as RequestContext)
}

// Each formatter, and the same with a `redact` path that matches nothing: it writes the same
// event, and builds every event's fields afresh (a request's fields are kept only without `redact`).
const LOGSTASH_OPTIONS = [
  {},
  { extraPrefix: '', extra: { service: 'shop', req_method: 'static' }, tags: ['web'], metadata: { index: 'logs' } },
  { ensureAscii: true, maxEventBytes: 700 }
]
const ECS_OPTIONS = [
  {},
  { serviceName: 'shop', eventDataset: 'shop.log', extraPrefix: 'app', tags: ['web'], extra: { 'labels.team': 'a', 'log.origin.file.name': 'x', 'url.domain': 'static', note: 'n' } },
  { maxEventBytes: 700 }
]
const FORMATTERS: Array<[string, () => Formatter, () => Formatter]> = [
  ...LOGSTASH_OPTIONS.map((options): [string, () => Formatter, () => Formatter] =>
    [`LogstashFormatter ${JSON.stringify(options)}`, () => new LogstashFormatter(options), () => new LogstashFormatter({ ...options, redact: ['no_such_field'] })]),
  ...ECS_OPTIONS.map((options): [string, () => Formatter, () => Formatter] =>
    [`EcsFormatter ${JSON.stringify(options)}`, () => new EcsFormatter(options), () => new EcsFormatter({ ...options, redact: ['no_such_field'] })])
]

function record (fields?: Record<string, unknown>, more: Partial<LogRecord> = {}): LogRecord {
  return { level: 'info', time: TIME, message: 'in a request', ...(fields === undefined ? {} : { fields }), ...more }
}

for (const [name, create, reference] of FORMATTERS) {
  describe(`${name} in a request`, () => {
    it('sees a change of every value of the request context between two events', () => {
      for (const key of Object.keys(VALUES) as Array<keyof typeof VALUES>) {
        const formatter = create()
        const context = firstValues()
        assert.equal(formatter.format(record({ n: 1 }), context), reference().format(record({ n: 1 }), context))
        ;(context as unknown as Record<string, unknown>)[key] = VALUES[key][1]
        assert.equal(formatter.format(record({ n: 2 }), context), reference().format(record({ n: 2 }), context), `after ${key} changed`)
      }
    })

    it('writes the call\'s and the context\'s fields as it writes them without a kept request', () => {
      const cases: Array<[string, Record<string, unknown> | undefined, Record<string, unknown> | undefined]> = [
        ['no fields', undefined, undefined],
        ['empty fields', {}, {}],
        ['the call\'s', { orderId: 7, customer: { id: 1, tags_like: ['a'] } }, undefined],
        ['the context\'s', undefined, { tenant: 'acme' }],
        ['both', { orderId: 7 }, { tenant: 'acme' }],
        ['a call field named like a request field', { req_method: 'mine', request_id: 'mine' }, undefined],
        ['a context field named like a request field', undefined, { req_uri: 'mine' }],
        ['a call field named like the formatter\'s own', { interpreter: 'mine', logger_name: 'x' }, undefined],
        ['a call field the context has too', { tenant: 'call' }, { tenant: 'context', plan: 'pro' }],
        ['tags fields', { tags: ['call'] }, { tags: 'context' }],
        ['values JSON cannot write as they are', { when: new Date(0), big: 10n, map: new Map([[1, 2]]), nothing: undefined, fn: () => 1 }, { big: 1n }],
        ['a long string', { text: 'x'.repeat(40_000) }, undefined],
        ['fields at ECS places', { 'user.id': '42', http: { response: { mime_type: 'text/plain' } } }, { 'url.fragment': 'top', event: { action: 'pay' } }],
        ['labels and dotted names', { 'labels.team': 'a', 'order.id': 7 }, { 'labels.tenant': 'acme' }]
      ]
      for (const [name, fields, contextFields] of cases) {
        const formatter = create()
        const context = adapterContext({ ...firstValues(), fields: contextFields })
        for (let i = 0; i < 2; i++) {
          assert.equal(formatter.format(record(fields), context), reference().format(record(fields), context), `${name}, event ${i + 1}`)
        }
      }
    })

    it('writes each event with its own logger name', () => {
      const formatter = create()
      const context = firstValues()
      for (const logger of ['express', 'express', 'orders', undefined, 'express']) {
        const event = record({ n: 1 }, logger === undefined ? {} : { logger })
        assert.equal(formatter.format(event, context), reference().format(event, context), String(logger))
      }
    })

    it('keeps nothing anyone who reads, copies or prints the context can see', () => {
      const context = firstValues()
      const before = { keys: Object.keys(context), json: JSON.stringify(context), shown: inspect(context) }
      create().format(record({ n: 1 }), context)
      assert.deepEqual({ keys: Object.keys(context), json: JSON.stringify(context), shown: inspect(context) }, before)
      assert.deepEqual(Object.keys({ ...context }), before.keys)
    })

    it('writes errors and access events of a request with the request fields of the moment', () => {
      const formatter = create()
      const context = firstValues()
      formatter.format(record({ n: 1 }), context)
      context.statusCode = 500
      const error = record(undefined, { error: new Error('boom') })
      const access = record(undefined, { access: { statusCode: 500, durationMs: 12.5 } })
      assert.equal(formatter.format(error, context), reference().format(error, context))
      assert.equal(formatter.format(access, context), reference().format(access, context))
      const later = formatter.format(record({ n: 2 }), context)
      assert.equal(later, reference().format(record({ n: 2 }), context))
      // (A small maxEventBytes leaves the request fields out of a shortened event.)
      if (!name.includes('maxEventBytes')) assert.match(later, /"status_code":500/)
    })

    it('writes fuzzed fields of the call and the context, over requests that interleave, as it writes them afresh', () => {
      const random = new Random(0x2e9)
      const formatter = create()
      // Two contexts as adapters make them, and one made for a single line (no slot: nothing kept).
      const contexts: RequestContext[] = [firstValues(), adapterContext({ id: 'other', method: 'PUT', url: '/c' }), { id: 'bare' }]
      for (let i = 0; i < 2000; i++) {
        const context = random.pick(contexts)
        const roll = random.next()
        if (roll < 0.1) context.statusCode = random.pick([200, 404, 500])
        else if (roll < 0.2) context.fields = random.next() < 0.3 ? undefined : fuzzedFields(random, (k) => `c${k}`)
        else if (roll < 0.25) context.route = random.pick(['/a', '/b'])
        // Named `c<k>` like the context's now and then: the same name in both.
        const fields = random.next() < 0.2 ? undefined : fuzzedFields(random, random.next() < 0.3 ? (k) => `c${k}` : (k) => `f${k}`)
        if (fields !== undefined && random.next() < 0.1) fields[random.pick(['user.name', 'url.path', 'event.action', 'labels.x'])] = 'ecs'
        const more = random.next() < 0.3 ? { logger: random.pick(['a', 'b']) } : {}
        const written = formatter.format(record(fields, more), context)
        const expected = reference().format(record(fields, more), context)
        if (written !== expected) assert.fail(`event ${i}: ${written}\nexpected ${expected}`)
      }
    })
  })
}
