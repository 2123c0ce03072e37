import assert from 'node:assert/strict'
import { EcsFormatter, LogstashFormatter, type Formatter, type LogRecord } from '@logstash-async/core'
import { assertEcsLine } from '../../../../test/helpers/ecs-validate'

const TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 6)
const LIMIT = 100_000
const TEN_MB = 'x'.repeat(10 * 1024 * 1024)

interface Subject {
  name: string
  make: () => Formatter
  parse: (line: string) => Record<string, unknown>
  /** A user field as the event carries it. */
  field: (event: Record<string, unknown>, key: string) => unknown
  errorMessage: (event: Record<string, unknown>) => unknown
  stack: (event: Record<string, unknown>) => string
  /**
   * Whether plain fields go to JSON.stringify as the caller's object itself (Logstash: read
   * again there), or each top-level field is read once and routed (ECS: labels, extra...).
   * Nested plain data is read again by JSON.stringify in both.
   */
  stringifiesTheFields: boolean
}

const at = (event: Record<string, unknown>, holder: string, key: string): unknown => (event[holder] as Record<string, unknown> | undefined)?.[key]

const SUBJECTS: Subject[] = [
  {
    name: 'LogstashFormatter',
    make: () => new LogstashFormatter(),
    parse: (line) => JSON.parse(line) as Record<string, unknown>,
    field: (e, key) => at(e, 'extra', key),
    errorMessage: () => undefined,
    stack: (e) => at(e, 'extra', 'stack_trace') as string,
    stringifiesTheFields: true
  },
  {
    name: 'EcsFormatter',
    make: () => new EcsFormatter({ apmIntegration: false }),
    parse: assertEcsLine,
    field: (e, key) => at(e, 'labels', key) ?? at(e, 'extra', key),
    errorMessage: (e) => at(e, 'error', 'message'),
    stack: (e) => at(e, 'error', 'stack_trace') as string,
    stringifiesTheFields: false
  }
]

function cut (length: number): RegExp {
  return new RegExp(`^x{${LIMIT}}\\.\\.\\.\\[${length - LIMIT} more characters\\]$`)
}

for (const subject of SUBJECTS) {
  describe(`${subject.name}: every field kept, every string within one limit`, () => {
    const format = (record: Partial<LogRecord>): Record<string, unknown> =>
      subject.parse(subject.make().format({ level: 'info', message: 'm', time: TIME, ...record }))

    describe('a value that cannot be written becomes a marker in its place; the others stay', () => {
      class ThrowingDate extends Date { override toJSON (): string { throw new Error('no date') } }
      class CyclicDate extends Date {
        override toJSON (): string { const loop: Record<string, unknown> = { at: 'then' }; loop.loop = loop; return loop as unknown as string }
      }
      const cases: [string, () => unknown, (value: unknown) => void][] = [
        ['a Date subclass whose toJSON throws', () => new ThrowingDate(0), (v) => assert.equal(v, '[toJSON threw: Error: no date]')],
        ['a Date whose toJSON returns a cyclic object', () => new CyclicDate(0), (v) => assert.deepEqual(v, { at: 'then', loop: '[Circular]' })],
        ['an object whose toJSON throws', () => ({ toJSON () { throw new Error('no json') } }), (v) => assert.equal(v, '[toJSON threw: Error: no json]')],
        ['a revoked Proxy', () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy }, (v) => assert.match(String(v), /^\[Unserializable: TypeError: .*revoked/)],
        ['a Proxy whose get trap throws', () => new Proxy({ a: 1 }, { get () { throw new Error('trap') } }), (v) => assert.deepEqual(v, { a: '[Getter threw: Error: trap]' })]
      ]
      for (const [name, make, check] of cases) {
        it(`writes ${name} as a marker and keeps the fields around it`, () => {
          const event = format({ fields: { before: 'kept', odd: make(), after: 'kept too' } })
          check(subject.field(event, 'odd'))
          assert.equal(subject.field(event, 'before'), 'kept')
          assert.equal(subject.field(event, 'after'), 'kept too')
        })
      }

      it('keeps the event and every field when a getter turns into a BigInt on a second read', () => {
        let reads = 0
        const fields = { ok: 'kept', get shifty (): unknown { return ++reads === 1 ? 'plain' : 10n } }
        const event = format({ fields: { nested: fields, ...{ top: 1 } } })
        // Checked where it was ('plain'), then JSON.stringify read a BigInt and threw: the
        // fields were copied again, each value read once (the third read: 10n, as digits).
        assert.equal(reads, 3)
        assert.deepEqual(subject.field(event, 'nested'), { ok: 'kept', shifty: '10' })
        assert.equal(event.format_error ?? at(event, 'extra', 'format_error') ?? at(event, 'labels', 'format_error'), undefined)
      })

      it('keeps the other fields when a getter on the fields themselves answers differently on a second read', () => {
        let reads = 0
        const fields = Object.defineProperty({ ok: 'kept' }, 'shifty', { enumerable: true, get: () => ++reads === 1 ? 'plain' : new Map([['a', 1]]) })
        const event = format({ fields })
        assert.equal(subject.field(event, 'ok'), 'kept')
        if (subject.stringifiesTheFields) {
          // Its second answer, as JSON.stringify writes a Map: nothing throws, nothing else changes.
          assert.equal(reads, 2)
          assert.deepEqual(subject.field(event, 'shifty'), {})
        } else {
          assert.equal(reads, 1)
          assert.equal(subject.field(event, 'shifty'), 'plain')
        }
      })

      it('writes a getter of the fields that throws as a marker, the other fields kept', () => {
        const fields = Object.defineProperty({ ok: 'kept' }, 'broken', { enumerable: true, get: () => { throw new Error('nope') } })
        const event = format({ fields })
        assert.equal(subject.field(event, 'broken'), '[Getter threw: Error: nope]')
        assert.equal(subject.field(event, 'ok'), 'kept')
      })
    })

    describe(`one length rule: every string cut at ${LIMIT.toLocaleString('en')} characters, with a note`, () => {
      it('cuts a 10 MB message', () => {
        assert.match(format({ message: TEN_MB }).message as string, cut(TEN_MB.length))
      })

      it('cuts a 10 MB field, and what a toJSON() or a Date\'s toJSON returns', () => {
        class LongDate extends Date { override toJSON (): string { return TEN_MB } }
        const event = format({ fields: { long: TEN_MB, json: { toJSON: () => TEN_MB }, date: new LongDate(0) } })
        for (const key of ['long', 'json', 'date']) assert.match(subject.field(event, key) as string, cut(TEN_MB.length), key)
      })

      it('cuts the message and the stack of an error with a 10 MB message', () => {
        const line = subject.make().format({ level: 'error', message: 'failed', time: TIME, error: new Error(TEN_MB, { cause: new Error(TEN_MB) }) })
        assert.ok(line.length < 3 * LIMIT, `${line.length} characters`)
        const event = subject.parse(line)
        const stack = subject.stack(event)
        assert.ok(stack.startsWith('Error: xxx'))
        assert.match(stack, /\.\.\.\[\d+ more characters\]\n?$/)
        assert.ok(stack.length < LIMIT + 40)
        const message = subject.errorMessage(event)
        if (message !== undefined) assert.match(message as string, cut(TEN_MB.length))
      })

      it('never splits a surrogate pair where it cuts', () => {
        const text = 'x'.repeat(LIMIT - 1) + '😀' + 'tail'
        assert.match(subject.field(format({ fields: { text } }), 'text') as string, /^x{99999}\.\.\.\[6 more characters\]$/)
      })
    })

    describe('maxEventBytes', () => {
      it('keeps an event within 1 MiB by default, every field name kept, and says so', () => {
        const fields = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`part${i}`, 'ü'.repeat(LIMIT)]))
        const line = subject.make().format({ level: 'info', message: 'big', time: TIME, fields })
        assert.ok(Buffer.byteLength(line) <= 1024 * 1024, `${Buffer.byteLength(line)} bytes`)
        const event = subject.parse(line)
        for (const key of Object.keys(fields)) assert.ok((subject.field(event, key) as string).startsWith('üü'), key)
        const truncated = at(event, 'extra', 'truncated') as { original_bytes: number, max_event_bytes: number }
        assert.equal(truncated.max_event_bytes, 1024 * 1024)
        assert.ok(truncated.original_bytes > 12 * 2 * LIMIT, `original_bytes ${truncated.original_bytes}`)
      })

      it('leaves an event within the limit as it is', () => {
        const line = subject.make().format({ level: 'info', message: 'm', time: TIME, fields: { a: 'b'.repeat(50_000) } })
        assert.equal(at(subject.parse(line), 'extra', 'truncated'), undefined)
      })
    })
  })
}
