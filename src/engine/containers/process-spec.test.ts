import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import {
  DEFAULT_PATH_ENV, mergeEnv, parseGroup, parsePasswd, processEnv, replaceOrAppendEnv, resolveCommand, resolveUser,
  resolveWorkingDir, effectiveUser,
} from './process-spec.js'

const image = { Entrypoint: ['/entry', '-x'], Cmd: ['cmd', 'arg'] }

test('resolveCommand() matches Docker for every entrypoint/cmd combination', () => {
  const cases: Array<{ name: string; spec: { entrypoint?: string[] | null; cmd?: string[] | null }; img: typeof image | Record<string, never>; argv: string[] }> = [
    { name: 'image defaults', spec: {}, img: image, argv: ['/entry', '-x', 'cmd', 'arg'] },
    { name: 'null means unset', spec: { entrypoint: null, cmd: null }, img: image, argv: ['/entry', '-x', 'cmd', 'arg'] },
    { name: 'cmd overrides image Cmd', spec: { cmd: ['other'] }, img: image, argv: ['/entry', '-x', 'other'] },
    { name: 'empty cmd keeps image Cmd', spec: { cmd: [] }, img: image, argv: ['/entry', '-x', 'cmd', 'arg'] },
    { name: 'entrypoint drops image Cmd', spec: { entrypoint: ['/e2'] }, img: image, argv: ['/e2'] },
    { name: 'entrypoint and cmd', spec: { entrypoint: ['/e2', 'a'], cmd: ['b'] }, img: image, argv: ['/e2', 'a', 'b'] },
    { name: '--entrypoint "" with cmd', spec: { entrypoint: [''], cmd: ['sh'] }, img: image, argv: ['sh'] },
    { name: 'empty entrypoint list keeps image Cmd', spec: { entrypoint: [] }, img: image, argv: ['cmd', 'arg'] },
    { name: 'image without entrypoint', spec: {}, img: { Cmd: ['sh'] } as never, argv: ['sh'] },
    { name: 'cmd only, no image defaults', spec: { cmd: ['echo', 'hi'] }, img: {}, argv: ['echo', 'hi'] },
  ]
  for (const c of cases) {
    const r = resolveCommand(c.spec, c.img)
    assert.deepEqual([r.path, ...r.args], c.argv, c.name)
  }
})

test('resolveCommand() reports the effective entrypoint and cmd', () => {
  const r = resolveCommand({ entrypoint: [''], cmd: ['sh'] }, image)
  assert.equal(r.entrypoint, undefined)
  assert.deepEqual(r.cmd, ['sh'])
  const d = resolveCommand({}, image)
  assert.deepEqual(d.entrypoint, ['/entry', '-x'])
  assert.deepEqual(d.cmd, ['cmd', 'arg'])
})

test('resolveCommand() throws InvalidArgument when nothing is left to run', () => {
  const cases: Array<[{ entrypoint?: string[] }, { Entrypoint?: string[] | null; Cmd?: string[] | null }]> = [
    [{}, {}],
    [{ entrypoint: [''] }, image],
    [{ entrypoint: [] }, { Entrypoint: ['/x'] }],
    [{}, { Entrypoint: null, Cmd: null }],
  ]
  for (const [spec, img] of cases) {
    assert.throws(() => resolveCommand(spec, img), (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && e.message === 'No command specified')
  }
})

test('mergeEnv() puts the client entries first and adds image keys it did not set', () => {
  assert.deepEqual(mergeEnv(['PATH=/img', 'A=1'], undefined), ['PATH=/img', 'A=1'])
  assert.deepEqual(mergeEnv(['PATH=/img', 'A=1', 'B=2'], ['A=x', 'C=3']), ['A=x', 'C=3', 'PATH=/img', 'B=2'])
  assert.deepEqual(mergeEnv(undefined, ['A=x']), ['A=x'])
})

test('replaceOrAppendEnv() replaces in place, appends, and removes keys given without "="', () => {
  assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2', 'C=3'], ['B=x', 'D=4', 'C']), ['A=1', 'B=x', 'D=4'])
})

test('processEnv() adds PATH, HOSTNAME, TERM for a tty and HOME; spec wins over image', () => {
  const env = processEnv({ imageEnv: ['PATH=/img/bin', 'X=image'], specEnv: ['X=spec'], hostname: 'abc', tty: true, home: '/root' })
  assert.deepEqual(env, ['PATH=/img/bin', 'HOSTNAME=abc', 'TERM=xterm', 'X=spec', 'HOME=/root'])
  const plain = processEnv({ hostname: 'h', tty: false, home: '/home/u' })
  assert.deepEqual(plain, [DEFAULT_PATH_ENV, 'HOSTNAME=h', 'HOME=/home/u'])
  const ownHome = processEnv({ specEnv: ['HOME=/data'], hostname: 'h', tty: false, home: '/root' })
  assert.deepEqual(ownHome.filter((e) => e.startsWith('HOME=')), ['HOME=/data'])
})

test('resolveWorkingDir() takes spec, then image, then "/", and rejects relative paths', () => {
  assert.equal(resolveWorkingDir('/srv/app/', { WorkingDir: '/img' }), '/srv/app')
  assert.equal(resolveWorkingDir(undefined, { WorkingDir: '/img' }), '/img')
  assert.equal(resolveWorkingDir('', {}), '/')
  assert.equal(resolveWorkingDir('/a/./b/../c', {}), '/a/c')
  assert.throws(() => resolveWorkingDir('rel', {}), (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument')
})

const passwd = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  '# comment',
  'broken line',
  'app:x:1000:1000:App:/home/app:/bin/sh',
].join('\n')
const group = ['root:x:0:', 'wheel:x:10:root,app', 'staff:x:50:app', 'app:x:1000:', 'users:x:100:'].join('\n')

test('parsePasswd() and parseGroup() skip comments and malformed lines', () => {
  assert.deepEqual(parsePasswd(passwd).map((u) => u.name), ['root', 'daemon', 'app'])
  assert.deepEqual(parseGroup(group).find((g) => g.name === 'wheel')?.members, ['root', 'app'])
})

test('resolveUser() resolves names, ids and groups like Docker', () => {
  assert.deepEqual(resolveUser('', passwd, group), { uid: 0, gid: 0, additionalGids: [10], home: '/root' })
  assert.deepEqual(resolveUser('app', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 50], home: '/home/app' })
  assert.deepEqual(resolveUser('1000', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 50], home: '/home/app' })
  assert.deepEqual(resolveUser('app:users', passwd, group), { uid: 1000, gid: 100, additionalGids: [], home: '/home/app' })
  assert.deepEqual(resolveUser('app:4242', passwd, group), { uid: 1000, gid: 4242, additionalGids: [], home: '/home/app' })
  assert.deepEqual(resolveUser('1234', passwd, group), { uid: 1234, gid: 0, additionalGids: [], home: '/' })
  assert.deepEqual(resolveUser('1234:5678', passwd, group), { uid: 1234, gid: 5678, additionalGids: [], home: '/' })
})

test('resolveUser() accepts numeric ids without passwd or group files', () => {
  assert.deepEqual(resolveUser(undefined, undefined, undefined), { uid: 0, gid: 0, additionalGids: [], home: '/root' })
  assert.deepEqual(resolveUser('33:44', undefined, undefined), { uid: 33, gid: 44, additionalGids: [], home: '/' })
})

test('resolveUser() rejects unknown user and group names with Docker\'s messages', () => {
  const invalid = (message: string) => (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && e.message === message
  assert.throws(() => resolveUser('nobody', passwd, group), invalid('unable to find user nobody: no matching entries in passwd file'))
  assert.throws(() => resolveUser('nobody', undefined, undefined), invalid('unable to find user nobody: no matching entries in passwd file'))
  assert.throws(() => resolveUser('app:nogroup', passwd, group), invalid('unable to find group nogroup: no matching entries in group file'))
})

test('effectiveUser() prefers the spec over the image', () => {
  assert.equal(effectiveUser({ user: 'a' }, { User: 'b' }), 'a')
  assert.equal(effectiveUser({}, { User: 'b' }), 'b')
  assert.equal(effectiveUser({ user: '' }, {}), '')
})
