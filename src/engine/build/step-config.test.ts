import { test } from 'node:test'
import assert from 'node:assert/strict'
import { commandArgs, expansionEnv, exposedPorts, nopCreatedBy, parseChmod, resolveWorkdir, runArgsPrefix, setEnv, validStopSignal } from './step-config.js'
import { matchCacheImage, stateOf, stepCacheKey } from './build-cache.js'
import { neededStages } from './builder.js'
import { parseDockerfile } from './dockerfile-parser.js'
import { toStages } from './instructions.js'

test('expansionEnv() lets ENV override an ARG of the same name', () => {
  const env = expansionEnv({ Env: ['A=env', 'PATH=/bin'] }, new Map([['A', 'arg'], ['B', 'arg']]))
  assert.equal(env.get('A'), 'env')
  assert.equal(env.get('B'), 'arg')
})

test('setEnv() replaces in place and appends new keys', () => {
  assert.deepEqual(setEnv(['A=1', 'B=2'], 'A', '3'), ['A=3', 'B=2'])
  assert.deepEqual(setEnv(undefined, 'C', 'x y'), ['C=x y'])
})

test('commandArgs() prefixes the shell for the shell form only', () => {
  assert.deepEqual(commandArgs({ shell: 'echo hi' }, ['/bin/sh', '-c']), ['/bin/sh', '-c', 'echo hi'])
  assert.deepEqual(commandArgs({ json: ['sleep', '5'] }, ['/bin/sh', '-c']), ['sleep', '5'])
})

test('runArgsPrefix() lists the build args not shadowed by ENV, as the classic builder does', () => {
  assert.equal(runArgsPrefix(new Map([['B', '2'], ['A', '1'], ['E', 'x'], ['HTTP_PROXY', 'p']]), { Env: ['E=y'] }), '|2 A=1 B=2 ')
  assert.equal(runArgsPrefix(new Map(), {}), '')
  assert.equal(nopCreatedBy(['/bin/sh', '-c'], ' CMD ["sh"]'), '/bin/sh -c #(nop)  CMD ["sh"]')
})

test('exposedPorts() expands ranges and defaults to tcp', () => {
  assert.deepEqual(exposedPorts(['80', '53/udp', '8000-8002']), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp', '8002/tcp'])
  assert.throws(() => exposedPorts(['http']), /Invalid containerPort: http/)
})

test('resolveWorkdir(), parseChmod() and validStopSignal() follow Docker', () => {
  assert.equal(resolveWorkdir('/app', 'src/../lib'), '/app/lib')
  assert.equal(resolveWorkdir(undefined, 'x'), '/x')
  assert.equal(parseChmod('0755'), 0o755)
  assert.throws(() => parseChmod('rwx'), /invalid chmod parameter/)
  assert.equal(validStopSignal('SIGTERM'), true)
  assert.equal(validStopSignal('9'), true)
  assert.equal(validStopSignal('SIGNOPE'), false)
})

test('stepCacheKey() depends on the parent, the instruction and the extras', () => {
  const a = stepCacheKey('sha256:1', 'RUN x')
  assert.equal(stepCacheKey('sha256:1', 'RUN x'), a)
  assert.notEqual(stepCacheKey('sha256:2', 'RUN x'), a)
  assert.notEqual(stepCacheKey('sha256:1', 'RUN y'), a)
  assert.notEqual(stepCacheKey('sha256:1', 'RUN x', ['bash']), a)
})

test('neededStages() follows FROM and COPY --from references and skips the rest', () => {
  const df = toStages(parseDockerfile([
    'ARG TOOLS=tools',
    'FROM busybox AS tools',
    'FROM busybox AS unused',
    'FROM ${TOOLS} AS build',
    'FROM busybox AS assets',
    'FROM scratch',
    'COPY --from=build /a /a',
    'COPY --from=3 /b /b',
  ].join('\n')))
  const last = df.stages[df.stages.length - 1]
  assert.ok(last)
  assert.deepEqual([...neededStages(df, last, new Map([['TOOLS', 'tools']]))].sort(), [0, 2, 3, 4])
})

test('matchCacheImage() takes the next layer of an image whose history extends the state', () => {
  const base = stateOf({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ['sha256:a'] }, history: [{ created_by: 'base' }] }, 'sha256:a')
  const image = {
    architecture: 'amd64', os: 'linux',
    rootfs: { type: 'layers' as const, diff_ids: ['sha256:a', 'sha256:b'] as Array<`sha256:${string}`> },
    history: [{ created_by: 'base' }, { created_by: 'ENV X=1', empty_layer: true }, { created_by: 'RUN make' }],
  }
  assert.equal(matchCacheImage(base, image, 'ENV X=1', false), 'metadata')
  assert.equal(matchCacheImage(base, image, 'RUN other', false), undefined)
  const afterEnv = stateOf({ ...base.config, history: [{ created_by: 'base' }, { created_by: 'ENV X=1', empty_layer: true }] }, 'sha256:a')
  const hit = matchCacheImage(afterEnv, image, 'RUN make', false)
  assert.ok(hit && hit !== 'metadata')
  assert.deepEqual(hit.config.rootfs.diff_ids, ['sha256:a', 'sha256:b'])
  assert.match(hit.topChainId ?? '', /^sha256:[0-9a-f]{64}$/)
})
