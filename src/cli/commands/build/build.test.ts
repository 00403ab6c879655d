import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { buildArgMap } from './build.js'
import { BuildProgress } from './progress.js'

test('buildArgMap() takes bare names from the environment, else null', () => {
  assert.deepEqual(buildArgMap(['A=1', 'B', 'C', 'D=x=y'], { B: 'from-env' }), { A: '1', B: 'from-env', C: null, D: 'x=y' })
})

function collect(mode: 'plain' | 'tty', chunks: string[], ok = true): string {
  const out = new PassThrough()
  let text = ''
  out.on('data', (c: Buffer) => (text += c.toString()))
  const p = new BuildProgress(out, mode, 80)
  for (const c of chunks) p.write(c)
  p.end(ok)
  return text
}

const stream = ['Step 1/2 : FROM busybox\n', ' ---> 90d24b435934\n', 'Step 2/2 : RUN echo hi\n', ' ---> Running in abc\n', 'hi\n', 'Removing intermediate container abc\n', ' ---> 1234\n', 'Successfully built 1234\n']

test('BuildProgress plain writes the classic builder stream unchanged', () => {
  assert.equal(collect('plain', stream), stream.join(''))
})

test('BuildProgress tty draws one line per step with status, then the result', () => {
  const text = collect('tty', stream)
  const lastFrame = text.split('\x1b[J').pop() ?? ''
  assert.match(lastFrame, /^\[\+\] Building \d+\.\ds \(2\/2\) FINISHED\n/)
  assert.match(lastFrame, / => \[1\/2\] FROM busybox +\d+\.\ds\n/)
  assert.match(lastFrame, / => \[2\/2\] RUN echo hi +\d+\.\ds\n/)
  assert.match(lastFrame, /Successfully built 1234\n$/)
  assert.doesNotMatch(lastFrame, /=> => # hi/)
})

test('BuildProgress tty keeps the failing step output on screen', () => {
  const text = collect('tty', ['Step 1/1 : RUN false\n', ' ---> Running in abc\n', 'first\n', 'second\n'], false)
  const lastFrame = text.split('\x1b[J').pop() ?? ''
  assert.match(lastFrame, /FAILED/)
  assert.match(lastFrame, / => => # first\n => => # second\n/)
})
