import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DockerIgnore } from './dockerignore.js'

test('DockerIgnore.ignores() matches simple patterns and their subtrees', () => {
  const di = DockerIgnore.parse('# comment\nnode_modules\n*.log\n/tmp/\n')
  assert.equal(di.ignores('node_modules'), true)
  assert.equal(di.ignores('node_modules/a/b.js'), true)
  assert.equal(di.ignores('x.log'), true)
  assert.equal(di.ignores('sub/x.log'), false, '* does not cross /')
  assert.equal(di.ignores('tmp/file'), true)
  assert.equal(di.ignores('src/app.js'), false)
})

test('DockerIgnore.ignores() supports ** and ? and classes', () => {
  const di = DockerIgnore.parse('**/*.tmp\ndoc?\n[ab].txt\n')
  assert.equal(di.ignores('a.tmp'), true)
  assert.equal(di.ignores('x/y/z.tmp'), true)
  assert.equal(di.ignores('docs'), true)
  assert.equal(di.ignores('documents'), false)
  assert.equal(di.ignores('a.txt'), true)
  assert.equal(di.ignores('c.txt'), false)
})

test('DockerIgnore.ignores() lets the last matching pattern win, with ! exceptions', () => {
  const di = DockerIgnore.parse('*.md\n!README.md\nREADME-secret.md\n')
  assert.equal(di.ignores('CHANGES.md'), true)
  assert.equal(di.ignores('README.md'), false)
  assert.equal(di.ignores('README-secret.md'), true)
  const dirs = DockerIgnore.parse('build\n!build/keep\n')
  assert.equal(dirs.ignores('build/x'), true)
  assert.equal(dirs.ignores('build/keep'), false)
  assert.equal(dirs.mayReinclude('build'), true)
  assert.equal(dirs.mayReinclude('other'), false)
})
