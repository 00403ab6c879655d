import { test } from 'node:test'
import assert from 'node:assert/strict'
import { familiarName, familiarReference, normalizeReference, parseReference } from './reference.js'

const digest = `sha256:${'ab'.repeat(32)}`

test('parseReference() normalizes Docker Hub names', () => {
  assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: undefined, digest: undefined })
  assert.deepEqual(parseReference('user/repo:1.0'), { domain: 'docker.io', path: 'user/repo', tag: '1.0', digest: undefined })
  assert.deepEqual(parseReference('index.docker.io/library/busybox'), { domain: 'docker.io', path: 'library/busybox', tag: undefined, digest: undefined })
})

test('parseReference() recognizes registries by dot, port or localhost', () => {
  assert.deepEqual(parseReference('localhost:5000/x:tag'), { domain: 'localhost:5000', path: 'x', tag: 'tag', digest: undefined })
  assert.deepEqual(parseReference('localhost/x'), { domain: 'localhost', path: 'x', tag: undefined, digest: undefined })
  assert.deepEqual(parseReference('ghcr.io/org/team/app'), { domain: 'ghcr.io', path: 'org/team/app', tag: undefined, digest: undefined })
  assert.deepEqual(parseReference('[::1]:5000/x'), { domain: '[::1]:5000', path: 'x', tag: undefined, digest: undefined })
})

test('parseReference() accepts digests with and without a tag', () => {
  assert.deepEqual(parseReference(`repo@${digest}`), { domain: 'docker.io', path: 'library/repo', tag: undefined, digest })
  assert.deepEqual(parseReference(`repo:v1@${digest}`), { domain: 'docker.io', path: 'library/repo', tag: 'v1', digest })
})

test('parseReference() rejects uppercase repository names with Docker\'s message', () => {
  assert.throws(() => parseReference('Busybox'), {
    kind: 'InvalidArgument',
    message: 'invalid reference format: repository name (library/Busybox) must be lowercase',
  })
  assert.throws(() => parseReference('user/Repo:tag'), { message: 'invalid reference format: repository name (user/Repo) must be lowercase' })
  // Upper case is fine in a tag.
  assert.equal(parseReference('busybox:Latest').tag, 'Latest')
})

test('parseReference() rejects malformed references', () => {
  for (const bad of ['', 'busybox:', 'a:b:c', 'bad tag', '-leading', 'repo@sha256:abc', `repo@md5:${'a'.repeat(64)}`, 'a//b', 'x:' + 't'.repeat(129)]) {
    assert.throws(() => parseReference(bad), { kind: 'InvalidArgument' }, bad)
  }
  assert.throws(() => parseReference('a'.repeat(64)), { message: /cannot specify 64-byte hexadecimal strings/ })
})

test('normalizeReference() adds :latest only without tag or digest', () => {
  assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest')
  assert.equal(normalizeReference('localhost:5000/x:tag'), 'localhost:5000/x:tag')
  assert.equal(normalizeReference(`repo@${digest}`), `docker.io/library/repo@${digest}`)
})

test('familiarReference() shortens Docker Hub references', () => {
  assert.equal(familiarReference('docker.io/library/busybox:latest'), 'busybox:latest')
  assert.equal(familiarReference('docker.io/user/repo:1'), 'user/repo:1')
  assert.equal(familiarReference('docker.io/library/a/b:1'), 'library/a/b:1')
  assert.equal(familiarReference(`docker.io/library/busybox@${digest}`), `busybox@${digest}`)
  assert.equal(familiarReference('localhost:5000/x:tag'), 'localhost:5000/x:tag')
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox')
})
