import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { berthdPath } from './service.js'
import { serviceUnit, socketUnit } from './service-units.js'

const repo = resolve(import.meta.dirname, '../../../../..')

test('serviceUnit and socketUnit are contrib/berthd.{service,socket} for /usr/local/bin/berthd', () => {
  assert.equal(serviceUnit('/usr/local/bin/berthd'), readFileSync(resolve(repo, 'contrib/berthd.service'), 'utf8'))
  assert.equal(socketUnit(), readFileSync(resolve(repo, 'contrib/berthd.socket'), 'utf8'))
})

test('serviceUnit starts the given berthd with socket activation', () => {
  assert.match(serviceUnit('/opt/berth/bin/berthd'), /\nExecStart=\/opt\/berth\/bin\/berthd -H fd:\/\/\n/)
})

test('berthdPath is PREFIX/bin/berthd, or the berthd beside the running berth', () => {
  assert.equal(berthdPath('/opt/berth'), '/opt/berth/bin/berthd')
  assert.equal(berthdPath(undefined, '/nonexistent/dir/berth'), '/nonexistent/dir/berthd')
})
