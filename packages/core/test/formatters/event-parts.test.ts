import assert from 'node:assert/strict'
import { coreInternal } from '../../../../test/helpers/core-internal'

const { flatString } = coreInternal<typeof import('../../src/formatters/event-parts')>('formatters/event-parts')

describe('flatString', () => {
  it('returns every string as it was: ASCII, multi-byte, emoji, lone surrogates, control characters, empty', () => {
    const built = ['","@version":"1","host":', JSON.stringify('h\u00f6st'), ',"message":'].reduce((a, b) => a + b)
    for (const text of ['', 'plain', 'gr\u00fc\u00dfe \u65e5\u672c', '\u{1f600}', 'lone \ud800 and \udfff', '\u0000\n\t"\\', built, 'x'.repeat(100_000)]) {
      assert.equal(flatString(text), text)
    }
  })
})
