import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { ProgressView, type ProgressMode } from './progress-view.js'

function view(mode: ProgressMode, isTTY: boolean): { view: ProgressView; text: () => string } {
  const chunks: string[] = []
  const out = Object.assign(new Writable({ write: (c: Buffer, _e, cb) => { chunks.push(c.toString()); cb() } }), { isTTY, columns: 60 })
  return { view: new ProgressView(out, mode, false), text: () => chunks.join('') }
}

test('ProgressView without a terminal prints finished steps like Compose', () => {
  const { view: v, text } = view('auto', false)
  v.event({ id: 'Container p-web-1', status: 'Creating', state: 'working' })
  v.event({ id: 'Container p-web-1', status: 'Created', state: 'done' })
  v.event({ id: 'Container p-db-1', status: 'Error', state: 'error', text: 'boom' })
  v.event({ id: 'p', status: 'Warning', state: 'warning', text: 'careful' })
  assert.equal(text(), ' ✔ Container p-web-1  Created\n ✘ Container p-db-1  Error boom\nWARN[0000] careful\n')
})

test('ProgressView --progress plain prints every step; quiet prints nothing', () => {
  const plain = view('plain', true)
  plain.view.event({ id: 'Network p_default', status: 'Creating', state: 'working' })
  plain.view.event({ id: 'Network p_default', status: 'Created', state: 'done' })
  assert.equal(plain.text(), 'Network p_default  Creating\nNetwork p_default  Created\n')
  const quiet = view('quiet', true)
  quiet.view.event({ id: 'Network p_default', status: 'Created', state: 'done' })
  assert.equal(quiet.text(), '')
})

test('ProgressView on a terminal redraws one block with a Running count', () => {
  const { view: v, text } = view('auto', true)
  v.event({ id: 'Container p-web-1', status: 'Starting', state: 'working' })
  v.event({ id: 'Container p-web-1', status: 'Started', state: 'done' })
  const out = text()
  assert.match(out, /^\[\+\] Running 0\/1\n ⠿ Container p-web-1 {2}Starting +\d+\.\ds\n/)
  assert.match(out, /\x1b\[2A\r\x1b\[J\[\+\] Running 1\/1\n ✔ Container p-web-1 {2}Started +\d+\.\ds\n$/) // eslint-disable-line no-control-regex
  v.text('build output\n')
  assert.match(text(), /\x1b\[2A\r\x1b\[Jbuild output\n\[\+\] Running 1\/1\n/) // eslint-disable-line no-control-regex
})
