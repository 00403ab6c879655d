import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import { parseBind, parseMount, parseTmpfs, parseVolumesFrom, tmpfsOptionsFrom, validMountMode } from './mount-spec.js'

const invalidWith = (message: string) => (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && e.message === message

test('parseBind() tells named volumes, host binds and anonymous volumes apart', () => {
  assert.deepEqual(parseBind('data:/var/lib/db'), {
    type: 'volume', source: 'data', destination: '/var/lib/db', rw: true, mode: '', propagation: '', copyData: true, sourceMustExist: false,
  })
  assert.deepEqual(parseBind('/srv/x/:/x:ro,rshared'), {
    type: 'bind', source: '/srv/x', destination: '/x', rw: false, mode: 'ro,rshared', propagation: 'rshared', copyData: true, sourceMustExist: false,
  })
  const anon = parseBind('/cache')
  assert.equal(anon.type, 'volume')
  assert.equal(anon.source, '')
  assert.equal(parseBind('v:/etc:nocopy').copyData, false)
  assert.equal(parseBind('/h:/c').propagation, 'rprivate')
})

test('parseBind() rejects specs with moby\'s messages', () => {
  assert.throws(() => parseBind('/foo:rw'), invalidWith("invalid volume specification: '/foo:rw'"))
  assert.throws(() => parseBind('a:b:c:d'), invalidWith("invalid volume specification: 'a:b:c:d'"))
  assert.throws(() => parseBind('v:/x:bogus'), invalidWith('invalid mode: bogus'))
  assert.throws(() => parseBind('v:/x:ro,rw'), invalidWith('invalid mode: ro,rw'))
  assert.throws(() => parseBind('/h:/'), invalidWith(`invalid volume specification: '/h:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`))
  assert.throws(() => parseBind('v:rel'), invalidWith(`invalid volume specification: 'v:rel': invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute`))
})

test('validMountMode() allows one option of each kind', () => {
  assert.ok(validMountMode('ro,z,rslave,nocopy'))
  assert.ok(!validMountMode('z,Z'))
  assert.ok(!validMountMode('private,shared'))
})

test('parseMount() validates --mount entries with Docker\'s messages', () => {
  assert.throws(() => parseMount({ Type: 'bind', Target: '/x' }), invalidWith('invalid mount config for type "bind": field Source must not be empty'))
  assert.throws(() => parseMount({ Type: 'bind', Source: '/a', Target: '/x', BindOptions: { Propagation: 'weird' } }), invalidWith('invalid mount config for type "bind": invalid propagation mode: weird'))
  assert.throws(() => parseMount({ Type: 'volume', Target: '/x', ReadOnly: true }), invalidWith('invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes'))
  assert.throws(() => parseMount({ Type: 'tmpfs', Source: 'x', Target: '/x' }), invalidWith('invalid mount config for type "tmpfs": field Source must not be specified'))
  assert.throws(() => parseMount({ Type: 'volume', Source: 'v' }), invalidWith('invalid mount config for type "volume": field Target must not be empty'))
  assert.throws(() => parseMount({ Type: 'npipe', Source: 'v', Target: '/x' }), invalidWith('invalid mount config for type "npipe": mount type unknown'))
  const bind = parseMount({ Type: 'bind', Source: '/a', Target: '/x', ReadOnly: true })
  assert.equal(bind.sourceMustExist, true)
  assert.equal(bind.rw, false)
  assert.equal(bind.propagation, 'rprivate')
  const vol = parseMount({ Type: 'volume', Source: 'v', Target: '/x', VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } })
  assert.equal(vol.copyData, false)
  assert.deepEqual(vol.volumeLabels, { a: 'b' })
})

test('tmpfsOptionsFrom() converts size and mode as Docker does', () => {
  assert.deepEqual(tmpfsOptionsFrom({ SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 }, true), ['ro', 'mode=1777', 'size=64m'])
  assert.deepEqual(tmpfsOptionsFrom({ SizeBytes: 1000 }, false), ['size=1000'])
  assert.throws(() => tmpfsOptionsFrom({ Options: [['uid', '1']] }, false), /invalid option: uid/)
})

test('parseTmpfs() and parseVolumesFrom() follow Docker', () => {
  assert.deepEqual(parseTmpfs({ '/run/': 'size=1m,ro' })[0]?.tmpfsOptions, ['size=1m', 'ro'])
  assert.equal(parseTmpfs({ '/run': 'ro' })[0]?.rw, false)
  assert.throws(() => parseTmpfs({ '/': '' }), /destination can't be '\/'/)
  assert.deepEqual(parseVolumesFrom('db'), { container: 'db', mode: 'rw' })
  assert.deepEqual(parseVolumesFrom('db:ro'), { container: 'db', mode: 'ro' })
  assert.throws(() => parseVolumesFrom('db:rshared'), invalidWith('invalid mode: rshared'))
  assert.throws(() => parseVolumesFrom(''), invalidWith('volumes-from specification cannot be an empty string'))
})
