import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildCreateRequest, expandEnv, parsePortSpecs, parseRestartPolicy, ramInBytes } from './container-config.js'

const noFiles = { env: {}, readFile: (path: string): string => { throw new Error(`open ${path}: no such file or directory`) } }

test('buildCreateRequest() attaches stdout/stderr by default and stdin with -i', () => {
  const plain = buildCreateRequest('busybox', [], {}, noFiles)
  assert.equal(plain.AttachStdout, true)
  assert.equal(plain.AttachStderr, true)
  assert.equal(plain.AttachStdin, false)
  assert.equal(plain.Cmd, undefined)
  const interactive = buildCreateRequest('busybox', ['sh'], { interactive: true, tty: true }, noFiles)
  assert.equal(interactive.AttachStdin, true)
  assert.equal(interactive.OpenStdin, true)
  assert.equal(interactive.StdinOnce, true)
  assert.equal(interactive.Tty, true)
  assert.deepEqual(interactive.Cmd, ['sh'])
})

test('buildCreateRequest() honours -a and rejects unknown streams', () => {
  const onlyErr = buildCreateRequest('busybox', [], { attach: ['STDERR'] }, noFiles)
  assert.equal(onlyErr.AttachStdout, false)
  assert.equal(onlyErr.AttachStderr, true)
  assert.throws(() => buildCreateRequest('busybox', [], { attach: ['stdfoo'] }, noFiles), /valid streams are STDIN, STDOUT and STDERR/)
})

test('buildCreateRequest() reads env files first, then -e, taking bare names from the environment', () => {
  const sources = {
    env: { FROM_ENV: 'outer', HOME_DIR: '/root' },
    readFile: (path: string): string => (path === 'a.env' ? '# comment\nA=1\n  B=spaced value \nHOME_DIR\nUNSET\n' : ''),
  }
  const request = buildCreateRequest('busybox', [], { envFile: ['a.env'], env: ['C=3', 'FROM_ENV', 'MISSING'] }, sources)
  assert.deepEqual(request.Env, ['A=1', 'B=spaced value ', 'HOME_DIR=/root', 'C=3', 'FROM_ENV=outer', 'MISSING'])
})

test('buildCreateRequest() merges label files and -l, bare labels are empty', () => {
  const sources = { env: {}, readFile: (): string => 'from=file\nbare\n' }
  const request = buildCreateRequest('busybox', [], { labelFile: ['l'], label: ['k=v', 'flag'] }, sources)
  assert.deepEqual(request.Labels, { from: 'file', k: 'v', flag: '' })
})

test('buildCreateRequest() maps host options into HostConfig', () => {
  const request = buildCreateRequest(
    'busybox',
    [],
    {
      rm: true,
      readOnly: true,
      privileged: true,
      init: true,
      network: 'host',
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      volume: ['/host:/ctr:ro', '/anon'],
      publish: ['8080:80'],
      logDriver: 'json-file',
      logOpt: ['max-size=1m'],
      memory: '64m',
    },
    noFiles,
  )
  const host = request.HostConfig!
  assert.equal(host.AutoRemove, true)
  assert.equal(host.ReadonlyRootfs, true)
  assert.equal(host.Privileged, true)
  assert.equal(host.Init, true)
  assert.equal(host.NetworkMode, 'host')
  assert.deepEqual(host.CapAdd, ['NET_ADMIN'])
  assert.deepEqual(host.CapDrop, ['ALL'])
  assert.deepEqual(host.Binds, ['/host:/ctr:ro'])
  assert.deepEqual(request.Volumes, { '/anon': {} })
  assert.deepEqual(host.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] })
  assert.deepEqual(request.ExposedPorts, { '80/tcp': {} })
  assert.deepEqual(host.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } })
  assert.equal(host.Memory, 64 * 1024 * 1024)
  assert.deepEqual(host.RestartPolicy, { Name: 'no' })
})

test('buildCreateRequest() leaves Init unset unless --init was given, and sends NetworkMode "default"', () => {
  const request = buildCreateRequest('busybox', [], {}, noFiles)
  assert.equal('Init' in request.HostConfig!, false)
  assert.equal(request.HostConfig!.NetworkMode, 'default')
})

test('buildCreateRequest() maps entrypoint, user, workdir, hostname, stop signal and timeout', () => {
  const request = buildCreateRequest(
    'busybox',
    ['-c', 'x'],
    { entrypoint: 'sh', user: '1000:1000', workdir: '/tmp', hostname: 'box', stopSignal: 'SIGINT', stopTimeout: 3 },
    noFiles,
  )
  assert.deepEqual(request.Entrypoint, ['sh'])
  assert.equal(request.User, '1000:1000')
  assert.equal(request.WorkingDir, '/tmp')
  assert.equal(request.Hostname, 'box')
  assert.equal(request.StopSignal, 'SIGINT')
  assert.equal(request.StopTimeout, 3)
  assert.deepEqual(buildCreateRequest('busybox', [], { entrypoint: '' }, noFiles).Entrypoint, [''])
})

test('buildCreateRequest() refuses --rm with a restart policy', () => {
  assert.throws(() => buildCreateRequest('busybox', [], { rm: true, restart: 'always' }, noFiles), /conflicting options: cannot specify both --restart and --rm/)
})

test('parseRestartPolicy() reads name and retry count', () => {
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 })
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped' })
  assert.throws(() => parseRestartPolicy('on-failure:x'), /maximum retry count must be an integer/)
  assert.throws(() => parseRestartPolicy(':3'), /no policy provided before colon/)
})

test('parsePortSpecs() handles ip, ranges, protocols and bracketed IPv6', () => {
  const { exposed, bindings } = parsePortSpecs(['127.0.0.1:8000-8001:80-81/udp', '[::1]:53:53', '9000'])
  assert.deepEqual(Object.keys(exposed), ['80/udp', '81/udp', '53/tcp', '9000/tcp'])
  assert.deepEqual(bindings['81/udp'], [{ HostIp: '127.0.0.1', HostPort: '8001' }])
  assert.deepEqual(bindings['53/tcp'], [{ HostIp: '::1', HostPort: '53' }])
  assert.deepEqual(bindings['9000/tcp'], [{ HostIp: '', HostPort: '' }])
  assert.throws(() => parsePortSpecs(['80/xyz']), /invalid proto: xyz/)
})

test('expandEnv() takes bare names from the environment when set', () => {
  assert.equal(expandEnv('A=1', { A: '2' }), 'A=1')
  assert.equal(expandEnv('A', { A: '2' }), 'A=2')
  assert.equal(expandEnv('B', {}), 'B')
})

test('ramInBytes() reads binary units like docker -m', () => {
  assert.equal(ramInBytes('512', '-m'), 512)
  assert.equal(ramInBytes('1g', '-m'), 1024 ** 3)
  assert.equal(ramInBytes('1.5k', '-m'), 1536)
  assert.throws(() => ramInBytes('lots', '-m, --memory'), /invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'/)
})
