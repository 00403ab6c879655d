import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Command } from 'commander'
import { buildProgram, selectBranch, type ProgramState } from './program.js'
import { fakeEngineClient, memoryIo } from './testing/fake-engine-client.js'

const branch = (argv: string[]): string | undefined => {
  const selected = selectBranch(argv)
  if (!selected) return undefined
  return [selected.group?.name, selected.leaf?.name].filter(Boolean).join(' ')
}

test('selectBranch() finds the invoked command after the global flags', () => {
  assert.equal(branch(['run', '--rm', 'busybox', 'true']), 'run')
  assert.equal(branch(['-D', '-H', 'unix:///x.sock', '--log-level=debug', 'ps', '-a']), 'ps')
  assert.equal(branch(['-Dl', 'debug', 'ps']), 'ps')
  assert.equal(branch(['-Hunix:///x.sock', '--host', 'ps', 'images']), 'images')
  assert.equal(branch(['-D=true', 'remove', 'web']), 'rm')
  assert.equal(branch(['container', 'list', '-q']), 'container ls')
  assert.equal(branch(['container', 'frob']), 'container')
  assert.equal(branch(['--version']), '')
})

test('selectBranch() asks for the whole tree for help, unknown commands and unknown flags', () => {
  assert.equal(branch([]), undefined)
  assert.equal(branch(['--help']), undefined)
  assert.equal(branch(['-Dh', 'ps']), undefined)
  assert.equal(branch(['help', 'container', 'ls']), undefined)
  assert.equal(branch(['frob']), undefined)
  assert.equal(branch(['--frob', 'ps']), undefined)
  assert.equal(branch(['--', 'ps']), undefined)
})

test('buildProgram() with argv registers only the invoked branch, with the same help as the whole tree', () => {
  const { client } = fakeEngineClient()
  const build = (argv?: string[]) => buildProgram({ io: memoryIo().io, makeClient: () => client }, { exitCode: 0 } as ProgramState, argv)
  const full = build()
  const find = (program: Command, path: string[]): Command => {
    let cmd: Command | undefined = program
    for (const name of path) cmd = cmd?.commands.find((c) => c.name() === name)
    assert.ok(cmd, `no command ${path.join(' ')}`)
    return cmd
  }

  const run = build(['run', 'busybox'])
  assert.deepEqual(run.commands.map((c) => c.name()), ['run'])
  assert.equal(find(run, ['run']).helpInformation(), find(full, ['run']).helpInformation())

  const ls = build(['container', 'ls'])
  assert.deepEqual(ls.commands.map((c) => c.name()), ['container'])
  assert.deepEqual(find(ls, ['container']).commands.map((c) => c.name()), ['ls'])
  assert.equal(find(ls, ['container']).helpInformation(), find(full, ['container']).helpInformation())
  assert.equal(find(ls, ['container', 'ls']).helpInformation(), find(full, ['container', 'ls']).helpInformation())

  const version = build(['--version'])
  assert.deepEqual(version.commands, [])
  assert.equal(version.helpInformation(), full.helpInformation())
})

test('buildProgram() with argv registers only the options argv may use, and parses to the same values and errors', () => {
  const { client } = fakeEngineClient()
  const build = (argv?: string[]) => buildProgram({ io: memoryIo().io, makeClient: () => client }, { exitCode: 0 } as ProgramState, argv)
  const leafOf = (program: Command, path: string): Command => {
    let cmd: Command | undefined = program
    for (const name of path.split(' ')) cmd = cmd?.commands.find((c) => c.name() === name)
    assert.ok(cmd, path)
    return cmd
  }
  /** What the command makes of its arguments: operands, unknown flags and option values, or the error. */
  const parse = (cmd: Command, args: string[]): unknown => {
    try {
      const { operands, unknown } = cmd.parseOptions(args)
      return { operands, unknown, opts: cmd.opts() }
    } catch (err) {
      return { error: (err as Error).message }
    }
  }
  const cases: [string, string[]][] = [
    ['run', ['--rm', 'busybox', 'true']],
    ['run', ['-it', '--name', 'x', '-e', 'A=1', '-eB=2', '--env=C=3', 'img', 'sh', '-c', 'echo', '--rm']],
    ['run', ['--sig-proxy=false', '-d=true', '--rm=false', 'img']],
    ['run', ['--no-sig-proxy', '--sig-proxy=true', 'img']],
    ['run', ['-p', '80:80', '-p8080:80', '--publish=1:1', '-v', '/a:/b', '--mount', 'type=tmpfs,dst=/t', 'img']],
    ['run', ['--name', '--rm', 'img']],
    ['run', ['-h', 'box', '--cpu-shares', '512', '-m', '64m', 'img']],
    ['run', ['--cpu-shares', 'x', 'img']],
    ['run', ['--frob', 'img']],
    ['run', ['-Z', 'img']],
    ['run', ['--memory']],
    ['run', ['--', 'img', '--rm']],
    ['create', ['--pull=never', '-a', 'stdout', '--restart', 'always', 'img']],
    ['exec', ['-it', 'c', 'sh']],
    ['exec', ['-e', 'A', '-u', 'root', '--detach-keys=ctrl-a', '-w', '/', 'c', 'ls', '-l']],
    ['ps', ['-aq', '--filter', 'status=exited', '-n', '3']],
    ['logs', ['-f', '--tail', '10', 'c']],
    ['compose up', ['-d']],
    ['compose up', ['--build', '-d']],
    ['compose up', ['--no-build', '--no-deps', 'web']],
    ['compose logs', ['-f', '--no-color']],
  ]
  for (const [name, args] of cases) {
    const full = build()
    const narrow = build([...name.split(' '), ...args])
    const context = `${name} ${args.join(' ')}`
    assert.deepEqual(parse(leafOf(narrow, name), args), parse(leafOf(full, name), args), context)
    assert.equal(leafOf(narrow, name).helpInformation(), leafOf(full, name).helpInformation(), context)
  }
  const run = leafOf(build(['run', '--rm', 'busybox', 'true']), 'run')
  assert.ok(run.options.some((o) => o.long === '--rm'))
  assert.ok(run.options.length < leafOf(build(), 'run').options.length / 4, `${run.options.length} options registered for run --rm`)
})
