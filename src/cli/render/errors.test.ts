import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import { DaemonError } from '../../client/index.js'
import { CliError, describeError, exitStatusFor, runFailureStatus, withHelp } from './errors.js'

test('describeError() prefixes daemon answers like docker and leaves other errors alone', () => {
  assert.equal(describeError(new DaemonError('NotFound', 404, 'No such container: x')), 'Error response from daemon: No such container: x')
  const unreachable = new EngineError('Unavailable', 'DAEMON_UNREACHABLE', 'Cannot connect to the berth daemon at unix:///x. Is berthd running?')
  assert.equal(describeError(unreachable), 'Cannot connect to the berth daemon at unix:///x. Is berthd running?')
})

test('exitStatusFor() keeps a CliError status and uses 1 for everything else', () => {
  assert.deepEqual(exitStatusFor(new CliError('unknown flag: --foo', 125)), { exitCode: 125, message: 'unknown flag: --foo' })
  assert.deepEqual(exitStatusFor(new DaemonError('Conflict', 409, 'in use')), { exitCode: 1, message: 'Error response from daemon: in use' })
  assert.equal(exitStatusFor(new CliError('', 0)).exitCode, 1)
})

test('runFailureStatus() maps start failures to 127, 126 and 125 like docker run', () => {
  const err = (message: string): DaemonError => new DaemonError('Internal', 500, message)
  assert.equal(runFailureStatus(err('exec: "nope": executable file not found in $PATH')), 127)
  assert.equal(runFailureStatus(err('open /x: no such file or directory')), 127)
  assert.equal(runFailureStatus(err('exec /etc: permission denied')), 126)
  assert.equal(runFailureStatus(err('No such image: x')), 125)
})

test('withHelp() words a run error with the help hint', () => {
  assert.equal(
    withHelp(new DaemonError('NotFound', 404, 'No such image: x:latest'), 'berth run'),
    "berth: Error response from daemon: No such image: x:latest\n\nRun 'berth run --help' for more information",
  )
})
