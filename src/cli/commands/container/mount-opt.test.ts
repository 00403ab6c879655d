import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMountOpt } from './mount-opt.js'

test('parseMountOpt() builds HostConfig.Mounts entries like the docker CLI', () => {
  assert.deepEqual(parseMountOpt('type=bind,source=/a,target=/b,readonly,bind-propagation=rshared'), {
    Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rshared' },
  })
  assert.deepEqual(parseMountOpt('src=data,dst=/d,volume-nocopy,volume-label=a=b,volume-opt=type=tmpfs'), {
    Type: 'volume', Source: 'data', Target: '/d', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Options: { type: 'tmpfs' } } },
  })
  assert.deepEqual(parseMountOpt('type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770'), {
    Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 },
  })
  assert.equal(parseMountOpt('target=/x,ro=false').ReadOnly, false)
})

test('parseMountOpt() rejects malformed values with the docker CLI\'s messages', () => {
  assert.throws(() => parseMountOpt('type=bind,source=/a'), /^Error: target is required$/)
  assert.throws(() => parseMountOpt('type=bind,bogus,target=/x'), /invalid field 'bogus' must be a key=value pair/)
  assert.throws(() => parseMountOpt('target=/x,colour=red'), /unexpected key 'colour' in 'colour=red'/)
  assert.throws(() => parseMountOpt('type=bind,source=/a,target=/x,volume-nocopy'), /cannot mix 'volume-\*' options with mount type 'bind'/)
})
