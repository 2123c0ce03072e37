import assert from 'node:assert/strict'
import { coreInternal } from '../../../test/helpers/core-internal'

type Module = typeof import('../src/experimental-builtin')
const { isExperimentalWarningOf, loadExperimentalBuiltin } = coreInternal<Module>('experimental-builtin.js')

const SQLITE = 'SQLite is an experimental feature and might change at any time'

describe('loading an experimental built-in quietly', () => {
  it('recognizes Node\'s experimental warning for the feature, in every form emitWarning takes', () => {
    const warning = new Error(SQLITE)
    warning.name = 'ExperimentalWarning'
    assert.equal(isExperimentalWarningOf('SQLite', SQLITE, 'ExperimentalWarning'), true)
    assert.equal(isExperimentalWarningOf('SQLite', SQLITE, { type: 'ExperimentalWarning' }), true)
    assert.equal(isExperimentalWarningOf('SQLite', warning, undefined), true)
  })

  it('lets every other warning through: another feature, another type, the application\'s own', () => {
    assert.equal(isExperimentalWarningOf('SQLite', 'WebSocket is an experimental feature and might change at any time', 'ExperimentalWarning'), false)
    assert.equal(isExperimentalWarningOf('SQLite', SQLITE, 'DeprecationWarning'), false)
    assert.equal(isExperimentalWarningOf('SQLite', SQLITE, undefined), false)
    assert.equal(isExperimentalWarningOf('SQLite', 'my app uses SQLite is an experimental feature', { type: 'ExperimentalWarning' }), false)
  })

  it('holds the warning back only during the load, and restores process.emitWarning even when the load throws', () => {
    const original = process.emitWarning
    const seen: unknown[][] = []
    process.emitWarning = ((...args: unknown[]) => { seen.push(args) }) as typeof process.emitWarning
    const recorder = process.emitWarning
    try {
      assert.equal(typeof loadExperimentalBuiltin<object>('node:sqlite', 'SQLite'), 'object')
      assert.equal(process.emitWarning, recorder)
      assert.equal(loadExperimentalBuiltin('node:no-such-module', 'Nothing'), undefined)
      assert.throws(() => loadExperimentalBuiltin(42 as unknown as string, 'Nothing'), { code: 'ERR_INVALID_ARG_TYPE' })
      assert.equal(process.emitWarning, recorder)
      process.emitWarning(SQLITE, 'ExperimentalWarning')
      assert.deepEqual(seen, [[SQLITE, 'ExperimentalWarning']])
    } finally {
      process.emitWarning = original
    }
  })
})
