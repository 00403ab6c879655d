import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyChanges, words } from './image-changes.js'

test('applyChanges() takes CMD and ENTRYPOINT in JSON and shell form', () => {
  assert.deepEqual(applyChanges({}, ['CMD ["echo", "hi"]']).Cmd, ['echo', 'hi'])
  assert.deepEqual(applyChanges({}, ['cmd echo $HOME']).Cmd, ['/bin/sh', '-c', 'echo $HOME'])
  assert.deepEqual(applyChanges({}, ['ENTRYPOINT top -b']).Entrypoint, ['/bin/sh', '-c', 'top -b'])
})

test('applyChanges() ENTRYPOINT drops an inherited CMD unless CMD was also changed', () => {
  assert.equal(applyChanges({ Cmd: ['sh'] }, ['ENTRYPOINT ["/init"]']).Cmd, null)
  assert.deepEqual(applyChanges({ Cmd: ['sh'] }, ['CMD ["x"]', 'ENTRYPOINT ["/init"]']).Cmd, ['x'])
})

test('applyChanges() sets ENV in both forms, replacing and expanding', () => {
  const c = applyChanges({ Env: ['PATH=/bin', 'A=old'] }, ['ENV A=new B="two words" C=$PATH:/x', 'ENV LEGACY some value'])
  assert.deepEqual(c.Env, ['PATH=/bin', 'A=new', 'B=two words', 'C=/bin:/x', 'LEGACY=some value'])
})

test('applyChanges() handles LABEL, EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL', () => {
  const c = applyChanges({ WorkingDir: '/app' }, [
    'LABEL a=1 "b c"=\'d e\'',
    'EXPOSE 80 53/udp 8000-8001',
    'USER nobody:nogroup',
    'WORKDIR sub',
    'VOLUME ["/data", "/logs"]',
    'VOLUME /cache',
    'STOPSIGNAL SIGQUIT',
  ])
  assert.deepEqual(c.Labels, { a: '1', 'b c': 'd e' })
  assert.deepEqual(Object.keys(c.ExposedPorts ?? {}), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp'])
  assert.equal(c.User, 'nobody:nogroup')
  assert.equal(c.WorkingDir, '/app/sub')
  assert.deepEqual(Object.keys(c.Volumes ?? {}), ['/data', '/logs', '/cache'])
  assert.equal(c.StopSignal, 'SIGQUIT')
})

test('applyChanges() leaves the input config untouched', () => {
  const base = { Env: ['A=1'] }
  applyChanges(base, ['ENV A=2'])
  assert.deepEqual(base, { Env: ['A=1'] })
})

test('applyChanges() rejects other instructions and bad arguments', () => {
  assert.throws(() => applyChanges({}, ['RUN echo hi']), { kind: 'InvalidArgument', message: 'run is not a valid change command' })
  assert.throws(() => applyChanges({}, ['FROM busybox']), { message: 'from is not a valid change command' })
  assert.throws(() => applyChanges({}, ['EXPOSE 99999']), { kind: 'InvalidArgument' })
  assert.throws(() => applyChanges({}, ['USER']), { kind: 'InvalidArgument' })
  assert.throws(() => applyChanges({}, ['ENV =x']), { kind: 'InvalidArgument' })
  assert.throws(() => applyChanges({}, ['STOPSIGNAL not a signal']), { kind: 'InvalidArgument' })
})

test('words() splits with quotes, escapes and variables', () => {
  const env = new Map([['X', 'ex']])
  assert.deepEqual(words(`a "b c" 'd $X' $X\${X} e\\ f "g\\"h"`, env), ['a', 'b c', 'd $X', 'exex', 'e f', 'g"h'])
  assert.throws(() => words('"open', env), { kind: 'InvalidArgument' })
})
