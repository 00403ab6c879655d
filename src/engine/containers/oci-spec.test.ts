import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import { DEFAULT_CAPABILITIES } from './capabilities.js'
import { DEFAULT_NOFILE, MASKED_PATHS, nofileRlimit, ociSpec, READONLY_PATHS, resourcesFromHostConfig } from './oci-spec.js'
import type { ResolvedUser } from './process-spec.js'
import { sampleRecord } from './testing/fixtures.js'

const root: ResolvedUser = { uid: 0, gid: 0, additionalGids: [10], home: '/root' }

test('ociSpec() builds Docker\'s default process, root and namespaces', () => {
  const record = sampleRecord({ spec: { image: 'busybox', hostname: 'myhost', env: ['A=1'], host: {} } })
  const spec = ociSpec(record, root)
  assert.deepEqual(spec.process?.args, ['/bin/sh', '-c', 'echo hi'])
  assert.equal(spec.process?.cwd, '/')
  assert.equal(spec.process?.terminal, false)
  assert.deepEqual(spec.process?.user, { uid: 0, gid: 0, additionalGids: [0, 10] })
  assert.deepEqual(spec.process?.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=myhost', 'A=1', 'HOME=/root'])
  assert.deepEqual(spec.root, { path: 'rootfs', readonly: false })
  assert.equal(spec.hostname, 'myhost')
  assert.deepEqual(spec.linux?.namespaces?.map((n) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts'])
  assert.equal(spec.linux?.cgroupsPath, `/berth/${record.id}`)
  assert.deepEqual(spec.linux?.maskedPaths, MASKED_PATHS)
  assert.deepEqual(spec.linux?.readonlyPaths, READONLY_PATHS)
  assert.deepEqual(spec.linux?.resources?.devices?.[0], { allow: false, access: 'rwm' })
  assert.equal(spec.process?.rlimits, undefined)
})

test('ociSpec() gives root Docker\'s default capabilities and a non-root user only the bounding set', () => {
  const record = sampleRecord()
  const caps = ociSpec(record, root).process?.capabilities
  assert.deepEqual(caps?.bounding, DEFAULT_CAPABILITIES)
  assert.deepEqual(caps?.effective, DEFAULT_CAPABILITIES)
  assert.deepEqual(caps?.permitted, DEFAULT_CAPABILITIES)
  const user = ociSpec(record, { uid: 1000, gid: 1000, additionalGids: [], home: '/home/u' }).process
  assert.deepEqual(user?.capabilities, { bounding: DEFAULT_CAPABILITIES })
  assert.deepEqual(user?.user, { uid: 1000, gid: 1000, additionalGids: [1000] })
})

test('ociSpec() mounts the standard filesystems and the /etc files from the container dir', () => {
  const record = sampleRecord()
  const mounts = ociSpec(record, root).mounts ?? []
  const byDest = new Map(mounts.map((m) => [m.destination, m]))
  for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']) assert.ok(byDest.has(d), d)
  assert.equal(byDest.get('/sys')?.type, 'sysfs')
  assert.ok(byDest.get('/sys')?.options?.includes('ro'))
  assert.ok(byDest.get('/sys/fs/cgroup')?.options?.includes('ro'))
  assert.ok(byDest.get('/dev/shm')?.options?.includes('size=65536k'))
  assert.equal(byDest.get('/etc/hosts')?.source, record.hostsPath)
  assert.equal(byDest.get('/etc/hostname')?.source, record.hostnamePath)
  assert.equal(byDest.get('/etc/resolv.conf')?.source, record.resolvConfPath)
  assert.deepEqual(byDest.get('/etc/hosts')?.options, ['rbind', 'rprivate'])
})

test('ociSpec() leaves out the network namespace and binds /sys for the host network', () => {
  const spec = ociSpec(sampleRecord({ spec: { image: 'busybox', host: { networkMode: 'host' } } }), root)
  assert.ok(!spec.linux?.namespaces?.some((n) => n.type === 'network'))
  const sys = spec.mounts?.find((m) => m.destination === '/sys')
  assert.equal(sys?.type, 'bind')
  assert.ok(sys?.options?.includes('ro'))
  for (const mode of ['none', 'default', 'bridge']) {
    const s = ociSpec(sampleRecord({ spec: { image: 'busybox', host: { networkMode: mode } } }), root)
    assert.ok(s.linux?.namespaces?.some((n) => n.type === 'network' && n.path === undefined), mode)
  }
  const joined = ociSpec(sampleRecord(), root, { networkNamespacePath: '/run/netns/x' })
  assert.deepEqual(joined.linux?.namespaces?.find((n) => n.type === 'network'), { type: 'network', path: '/run/netns/x' })
})

test('ociSpec() makes the rootfs and /etc files read-only for readonlyRootfs, and sets tty', () => {
  const spec = ociSpec(sampleRecord({ spec: { image: 'busybox', tty: true, host: { readonlyRootfs: true } } }), root)
  assert.deepEqual(spec.root, { path: 'rootfs', readonly: true })
  assert.ok(spec.mounts?.find((m) => m.destination === '/etc/hosts')?.options?.includes('ro'))
  assert.equal(spec.process?.terminal, true)
  assert.ok(spec.process?.env?.includes('TERM=xterm'))
})

test('ociSpec() with init mounts the init binary and runs the command under it', () => {
  const spec = ociSpec(sampleRecord({ spec: { image: 'busybox', host: { init: true } } }), root, { initPath: '/opt/tini' })
  assert.deepEqual(spec.process?.args, ['/sbin/docker-init', '--', '/bin/sh', '-c', 'echo hi'])
  assert.deepEqual(spec.mounts?.find((m) => m.destination === '/sbin/docker-init'), {
    destination: '/sbin/docker-init', type: 'bind', source: '/opt/tini', options: ['bind', 'ro'],
  })
})

test('nofileRlimit() never exceeds the host hard limit', () => {
  assert.deepEqual(nofileRlimit(undefined, undefined), [])
  assert.deepEqual(nofileRlimit(undefined, 20000), [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }])
  assert.deepEqual(nofileRlimit(undefined, 2 ** 31), [{ type: 'RLIMIT_NOFILE', hard: DEFAULT_NOFILE, soft: DEFAULT_NOFILE }])
  assert.deepEqual(nofileRlimit({ Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 50000 }] }, 20000), [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 100 }])
  const spec = ociSpec(sampleRecord(), root, { hostNofileLimit: 4096 })
  assert.deepEqual(spec.process?.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }])
})

test('ociSpec() applies CapAdd/CapDrop and never requests capabilities the host lacks', () => {
  const record = sampleRecord({ spec: { image: 'busybox', host: { capAdd: ['sys_admin', 'CAP_SYS_RESOURCE'], capDrop: ['NET_RAW'] } } })
  const available = ['CAP_CHOWN', 'CAP_SYS_ADMIN', 'CAP_KILL', 'CAP_NET_RAW']
  const caps = ociSpec(record, root, { availableCapabilities: available }).process?.capabilities?.bounding
  assert.deepEqual(caps, ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'])
  const privileged = ociSpec(sampleRecord({ spec: { image: 'busybox', host: { privileged: true } } }), root, { availableCapabilities: available })
  assert.deepEqual(privileged.process?.capabilities?.bounding, ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SYS_ADMIN'])
  assert.deepEqual(privileged.linux?.maskedPaths, [])
  assert.throws(() => ociSpec(sampleRecord({ spec: { image: 'busybox', host: { capAdd: ['BOGUS'] } } }), root), (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument')
})

test('ociSpec() orders user mounts parents first and lets them replace a default mount', () => {
  const record = sampleRecord({ spec: { image: 'busybox', host: {} } })
  const bind = (source: string, destination: string) => ({ destination, type: 'bind', source, options: ['rbind', 'rprivate'] })
  const mounts = ociSpec(record, root, { extraMounts: [bind('/x', '/data/sub'), bind('/y', '/data'), bind('/z', '/dev/shm')] }).mounts ?? []
  const dests = mounts.map((m) => m.destination)
  assert.ok(dests.indexOf('/data') < dests.indexOf('/data/sub'))
  assert.equal(mounts.filter((m) => m.destination === '/dev/shm').length, 1)
  assert.equal(mounts.find((m) => m.destination === '/dev/shm')?.source, '/z')
  // A volume over /etc goes under the container's /etc/hosts, not on top of it.
  const etc = ociSpec(record, root, { extraMounts: [bind('/v', '/etc')] }).mounts?.map((m) => m.destination) ?? []
  assert.ok(etc.indexOf('/etc') < etc.indexOf('/etc/hosts'))
})

test('resourcesFromHostConfig() maps memory, CPU and pids limits', () => {
  const r = resourcesFromHostConfig({ Memory: 33554432, NanoCpus: 1.5e9, CpuShares: 512, PidsLimit: 100, CpusetCpus: '0-1' }, false)
  assert.deepEqual(r.memory, { limit: 33554432 })
  assert.deepEqual(r.cpu, { period: 100000, quota: 150000, shares: 512, cpus: '0-1' })
  assert.deepEqual(r.pids, { limit: 100 })
  assert.deepEqual(resourcesFromHostConfig(undefined, true).devices, [{ allow: true, access: 'rwm' }])
})

test('ociSpec() uses the image working dir and user-set domainname', () => {
  const record = sampleRecord({ spec: { image: 'busybox', domainname: 'example.org', host: {} }, imageConfig: { WorkingDir: '/srv' } })
  const spec = ociSpec(record, root)
  assert.equal(spec.process?.cwd, '/srv')
  assert.equal(spec.domainname, 'example.org')
})
