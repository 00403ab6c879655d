import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { EventMessage } from '../../client/index.js'
import { splitImageRef, toProjectEvent } from './inspect-ops.js'

test('splitImageRef() gives the familiar repository and tag', () => {
  assert.deepEqual(splitImageRef('busybox'), { repository: 'busybox', tag: 'latest' })
  assert.deepEqual(splitImageRef('docker.io/library/redis:7'), { repository: 'redis', tag: '7' })
  assert.deepEqual(splitImageRef('localhost:5000/a/b'), { repository: 'localhost:5000/a/b', tag: 'latest' })
  assert.deepEqual(splitImageRef('a/b@sha256:' + 'c'.repeat(64)), { repository: 'a/b', tag: '' })
  assert.deepEqual(splitImageRef('sha256:' + 'c'.repeat(64)), { repository: '', tag: '' })
})

const event = (attrs: Record<string, string>, type = 'container'): EventMessage => ({
  Type: type, Action: 'start', Actor: { ID: 'abc', Attributes: attrs }, time: 1_700_000_000, timeNano: '1700000000123456789',
})

test('toProjectEvent() keeps container events of the services without compose labels', () => {
  const e = toProjectEvent(event({ 'com.docker.compose.service': 'web', 'com.docker.compose.oneoff': 'False', name: 'p-web-1', image: 'busybox' }))
  assert.deepEqual(e, { timeNano: 1700000000123456789n, service: 'web', container: 'abc', action: 'start', attributes: { name: 'p-web-1', image: 'busybox' } })
  assert.equal(toProjectEvent(event({ 'com.docker.compose.oneoff': 'True' })), undefined)
  assert.equal(toProjectEvent(event({ 'com.docker.compose.service': 'db' }), ['web']), undefined)
  assert.equal(toProjectEvent(event({}, 'network')), undefined)
})
