import assert from 'node:assert/strict'
import { createLogger, EcsFormatter, LogstashFormatter, LogstashHandler, type Formatter, type Level, type LogRecord, type LogstashError } from '@logstash-async/core'
import { badTime, fieldValue, hugeUnicode, isUnwritable, messageValue, Random } from '../helpers/fuzz-values'
import { TcpReceiver } from '../helpers/tcp-receiver'

const SEED = 0x5eed14
const CALLS = 10_000
const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']

interface Expected {
  /** Field names the event must carry: every field but those JSON leaves out. */
  keys: string[]
  /** The record had a time no Date can hold: the event must say so. */
  invalidTime: boolean
}

// Where a field lands: `extra` for the Logstash format; `labels` or `extra` for ECS.
const FORMATS: readonly { name: string, make: () => Formatter, seq: (e: Record<string, unknown>) => number, has: (e: Record<string, unknown>, key: string) => boolean, failed: (e: Record<string, unknown>) => boolean }[] = [
  {
    name: 'LogstashFormatter',
    make: () => new LogstashFormatter(),
    seq: (e) => Number(field(e, 'extra', 'seq')),
    has: (e, key) => Object.hasOwn(e.extra as object, key),
    failed: (e) => 'format_error' in e || 'format_error' in (e.extra as object)
  },
  {
    name: 'EcsFormatter',
    make: () => new EcsFormatter({ apmIntegration: false }),
    seq: (e) => Number(field(e, 'labels', 'seq')),
    has: (e, key) => field(e, 'labels', key) !== undefined || field(e, 'extra', key) !== undefined,
    failed: (e) => field(e, 'labels', 'format_error') !== undefined
  }
]

function field (event: Record<string, unknown>, holder: string, key: string): unknown {
  const object = event[holder]
  return typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[key] : undefined
}

describe(`fuzzed log calls (seed ${SEED}, ${CALLS} per formatter, through a TCP receiver)`, () => {
  let receiver: TcpReceiver | undefined
  let handler: LogstashHandler | undefined

  afterEach(async () => {
    await handler?.close()
    await receiver?.close()
    receiver = handler = undefined
  })

  for (const format of FORMATS) {
    it(`${format.name}: nothing throws, every line parses, none dropped, no field lost`, async function () {
      this.timeout(120_000)
      receiver = await TcpReceiver.start()
      const reports: LogstashError[] = []
      handler = new LogstashHandler({ host: '127.0.0.1', port: receiver.port, formatter: format.make(), onError: (err) => reports.push(err) })
      const random = new Random(SEED)
      const log = createLogger({ handler, name: 'fuzz' })
      const child = log.child({ component: 'fuzz', binding: fieldValue(random) })
      const expected: Expected[] = []

      for (let seq = 0; seq < CALLS; seq++) {
        const fields: Record<string, unknown> = { seq }
        const keys: string[] = []
        // Now and then an event past the default maxEventBytes (1 MiB): it is shortened, keeping every field.
        const count = seq % 500 === 250 ? 12 : 1 + random.int(6)
        for (let k = 0; k < count; k++) {
          const key = `f${k}`
          if (random.next() < 0.05) {
            // A getter on the fields themselves: throwing, or answering differently each read.
            let reads = 0
            const hostile = random.next() < 0.5
            Object.defineProperty(fields, key, { enumerable: true, get: () => { if (hostile) throw new Error('top getter broke'); return ++reads === 1 ? 'first' : 7n } })
            keys.push(key)
            continue
          }
          const value = count === 12 ? hugeUnicode() : fieldValue(random)
          fields[key] = value
          if (!isUnwritable(value)) keys.push(key)
        }
        const level = random.pick(LEVELS)
        const message = messageValue(random, seq)
        // A message with placeholders gets an argument for each: the fields stay the fields.
        const args = typeof message === 'string' && message.includes('%') ? Array.from({ length: 7 }, () => fieldValue(random)) : []
        let invalidTime = false
        const call = (): void => {
          switch (random.int(6)) {
            case 0: log[level](message as string, ...args, fields); break
            case 1: log[level](fields, message as string, ...args, fieldValue(random), fieldValue(random)); break
            case 2: log.error(new Error(`failure ${seq}`, { cause: fieldValue(random) }), message as string, ...args, fields); break
            case 3: child[level](message as string, ...args, fields); break
            case 4: log[level](message as string, ...args, fieldValue(random), fieldValue(random), fields); break
            default: {
              const time = badTime(random)
              invalidTime = time !== undefined
              handler?.log({ level, message: message as string, time: time as number, fields, tags: ['fuzz', fieldValue(random)] as string[] } satisfies LogRecord)
            }
          }
        }
        assert.doesNotThrow(call, `call ${seq}`)
        expected.push({ keys, invalidTime })
      }

      assert.equal(await handler.flush(), true)
      await receiver.waitForEvents(CALLS, 60_000)
      assert.deepEqual(receiver.invalid, [], 'every line parses')
      assert.equal(receiver.events.length, CALLS)
      assert.equal(handler.stats().dropped, 0)
      assert.deepEqual(reports.filter((r) => r.code === 'LOGSTASH_FORMAT'), [], 'no event needed the fallback')

      const shortened = receiver.events.filter((e) => field(e, 'extra', 'truncated') !== undefined)
      assert.ok(shortened.length >= CALLS / 500, `${shortened.length} events were shortened to maxEventBytes`)
      const seen = new Set<number>()
      for (const event of receiver.events) {
        const seq = format.seq(event)
        const want = expected[seq]
        assert.ok(want !== undefined && !seen.has(seq), `one event per call (seq ${seq})`)
        seen.add(seq)
        assert.ok(!format.failed(event), `event ${seq} is not a fallback`)
        const missing = want.keys.filter((key) => !format.has(event, key))
        assert.deepEqual(missing, [], `event ${seq} keeps every field`)
        if (want.invalidTime) assert.ok(format.has(event, 'invalid_time'), `event ${seq} says its time was invalid`)
      }
    })
  }
})
