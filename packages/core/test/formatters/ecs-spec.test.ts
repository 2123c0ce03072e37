import assert from 'node:assert/strict'
import { assertEcsLine, ECS_SPEC } from '../../../../test/helpers/ecs-validate'

// The checker every ECS test relies on must itself catch each broken rule.
describe('the ecs-logging spec checker', () => {
  const valid = '{"@timestamp":"2024-05-06T07:08:09.010Z","log.level":"info","message":"m","ecs":{"version":"8.11.0"}}'

  it('reads the vendored spec', () => {
    assert.deepEqual(Object.entries(ECS_SPEC.fields).filter(([, f]) => f.required).map(([name]) => name).sort(),
      ['@timestamp', 'ecs.version', 'log.level', 'message'])
  })

  it('accepts a minimal valid event', () => {
    assert.equal(assertEcsLine(valid).message, 'm')
  })

  const broken: { name: string, line: string, problem: RegExp }[] = [
    { name: 'invalid JSON', line: '{"@timestamp":', problem: /not valid JSON/ },
    { name: 'a missing ecs.version', line: '{"@timestamp":"2024-05-06T07:08:09.010Z","log.level":"info","message":"m"}', problem: /required field ecs.version is missing/ },
    { name: 'a nested log.level', line: '{"@timestamp":"2024-05-06T07:08:09.010Z","message":"m","log":{"level":"info"},"ecs":{"version":"1"}}', problem: /log.level is nested/ },
    { name: 'keys out of order', line: '{"log.level":"info","@timestamp":"2024-05-06T07:08:09.010Z","message":"m","ecs":{"version":"1"}}', problem: /@timestamp must be key #0/ },
    { name: 'a local timestamp', line: '{"@timestamp":"2024-05-06T07:08:09.010+02:00","log.level":"info","message":"m","ecs":{"version":"1"}}', problem: /ISO 8601 UTC/ },
    { name: 'an unsanitized label key', line: valid.slice(0, -1) + ',"labels":{"a.b":"x"}}', problem: /labels key "a.b" contains "."/ },
    { name: 'a duplicate key', line: valid.slice(0, -1) + ',"ecs":{"version":"2"}}', problem: /duplicate key "ecs"/ },
    { name: 'a field both dotted and nested', line: valid.slice(0, -1) + ',"ecs.version":"2"}', problem: /ecs.version is written both dotted and nested/ },
    { name: 'two lines', line: valid + '\n' + valid, problem: /not valid JSON|more than one line/ }
  ]
  for (const { name, line, problem } of broken) {
    it(`rejects ${name}`, () => {
      assert.throws(() => assertEcsLine(line), problem)
    })
  }
})
