import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BerthCommand, normalizeBooleanValues, pflagMessage } from './berth-command.js'

function command(stopAtOperand: boolean): BerthCommand {
  const cmd = new BerthCommand('run')
  cmd.stopAtOperand = stopAtOperand
  cmd.addSpecOption({ flags: '--rm', description: '' })
  cmd.addSpecOption({ flags: '-d, --detach', description: '' })
  cmd.addSpecOption({ flags: '-e, --env', type: 'list', repeatable: true, description: '' })
  cmd.addSpecOption({ flags: '--sig-proxy', default: true, description: '' })
  cmd.addSpecOption({ flags: '--no-sig-proxy', hidden: true, description: '' })
  return cmd
}

test('normalizeBooleanValues() turns --flag=true|false into commander flags', () => {
  const cmd = command(true)
  assert.deepEqual(normalizeBooleanValues(cmd, ['--rm=true', '--detach=false', 'busybox']), ['--rm', 'busybox'])
  assert.deepEqual(normalizeBooleanValues(cmd, ['--sig-proxy=false', 'img']), ['--no-sig-proxy', 'img'])
  assert.deepEqual(normalizeBooleanValues(cmd, ['-d=true', 'img']), ['--detach', 'img'])
})

test('normalizeBooleanValues() leaves option values and everything after the image alone', () => {
  const cmd = command(true)
  assert.deepEqual(normalizeBooleanValues(cmd, ['-e', '--rm=false', 'img', '--rm=false']), ['-e', '--rm=false', 'img', '--rm=false'])
  assert.deepEqual(normalizeBooleanValues(cmd, ['-de', 'X=1', 'img', '--detach=true']), ['-de', 'X=1', 'img', '--detach=true'])
})

test('pflagMessage() words commander errors like pflag', () => {
  assert.equal(pflagMessage("error: unknown option '--foo=1'", 'commander.unknownOption'), 'unknown flag: --foo')
  assert.equal(pflagMessage("error: unknown option '-x'", 'commander.unknownOption'), "unknown shorthand flag: 'x' in -x")
  assert.equal(pflagMessage("error: option '--name <string>' argument missing", 'commander.optionMissingArgument'), 'flag needs an argument: --name')
  assert.equal(
    pflagMessage("error: option '-n, --last <int>' argument 'x' is invalid. strconv.ParseInt: parsing \"x\": invalid syntax", 'commander.invalidArgument'),
    'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax',
  )
})
