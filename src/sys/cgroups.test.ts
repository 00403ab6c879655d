import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../common/index.js'
import { detectCgroups, ensureCgroupsForCrun, parseCgroups, removeCgroup, type CgroupInfo } from './cgroups.js'

const procCgroups = `#subsys_name	hierarchy	num_cgroups	enabled
cpuset	3	1	1
cpu	1	1	1
cpuacct	2	1	1
blkio	7	1	1
memory	4	22	1
devices	5	1	1
freezer	6	1	1
net_cls	0	1	1
perf_event	0	1	1
net_prio	0	1	1
hugetlb	0	1	1
pids	8	1	1
rdma	0	1	0
`

const hybridMountinfo = `23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
90 41 0:38 /berth/x /var/tmp/bind\\040dir rw,relatime - cgroup2 cgroup2 rw
`

test('parseCgroups() reports a hybrid host with its unmounted enabled v1 controllers', () => {
  const info = parseCgroups(procCgroups, hybridMountinfo)
  assert.equal(info.layout, 'hybrid')
  assert.deepEqual(info.unmountedV1, ['net_cls', 'perf_event', 'net_prio', 'hugetlb'])
  assert.deepEqual(info.mountedV1, ['cpuset', 'cpu', 'cpuacct', 'blkio', 'memory', 'devices', 'freezer', 'pids'])
  assert.deepEqual(
    info.hierarchies.map((h) => h.mountPoint),
    ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'systemd', 'unified'].map(
      (c) => `/sys/fs/cgroup/${c}`,
    ),
  )
  assert.deepEqual(info.hierarchies.find((h) => h.mountPoint.endsWith('/systemd'))?.controllers, [])
})

test('parseCgroups() sees co-mounted controllers and unescapes mount points', () => {
  const mi = `32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
33 31 0:30 / /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory
`
  const info = parseCgroups(procCgroups, mi)
  assert.equal(info.layout, 'v1')
  assert.deepEqual(info.hierarchies[0]?.controllers, ['cpu', 'cpuacct'])
  assert.equal(info.hierarchies[1]?.mountPoint, '/sys/fs/cgroup/my mem')
  assert.ok(info.unmountedV1.includes('pids'))
  assert.ok(!info.unmountedV1.includes('rdma'), 'disabled controllers are not reported')
})

test('parseCgroups() reports pure v2 with nothing to mount', () => {
  const info = parseCgroups(procCgroups.replace(/\t\d+\t/g, '\t0\t'), '30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n')
  assert.equal(info.layout, 'v2')
  assert.deepEqual(info.unmountedV1, [])
  assert.deepEqual(info.hierarchies, [{ fsType: 'cgroup2', mountPoint: '/sys/fs/cgroup', controllers: [] }])
})

test('ensureCgroupsForCrun() reports a failed mount as a runc fallback with the reason', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to attempt a cgroup mount')
  const dir = await mkdtemp(join(tmpdir(), 'berth-cg-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const info: CgroupInfo = { layout: 'hybrid', hierarchies: [], mountedV1: [], unmountedV1: ['no_such_controller'] }
  const lines: string[] = []
  const logger = { ...silentLogger, warn: (m: string) => void lines.push(m) }
  const res = await ensureCgroupsForCrun(logger, { cgroupRoot: dir, info })
  assert.equal(res.crunUsable, false)
  assert.deepEqual(res.mounted, [])
  assert.match(res.reason ?? '', /no_such_controller/)
  assert.equal(lines.length, 1)
})

test('ensureCgroupsForCrun() leaves the host with no unmounted enabled v1 controller', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to mount cgroup controllers')
  const res = await ensureCgroupsForCrun(silentLogger)
  assert.equal(res.crunUsable, true, res.reason)
  const again = await ensureCgroupsForCrun(silentLogger)
  assert.deepEqual(again.mounted, [], 'a second call finds nothing left to mount')
})

test('removeCgroup() removes the directory from every hierarchy and tolerates absence', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to create cgroups')
  const dir = await mkdtemp(join(tmpdir(), 'berth-cgrm-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const a = join(dir, 'a')
  const b = join(dir, 'b')
  await mkdir(join(a, 'berth', 'c1'), { recursive: true })
  const info: CgroupInfo = {
    layout: 'hybrid',
    hierarchies: [
      { fsType: 'cgroup', mountPoint: a, controllers: ['cpu'] },
      { fsType: 'cgroup2', mountPoint: b, controllers: [] },
    ],
    mountedV1: ['cpu'],
    unmountedV1: [],
  }
  await removeCgroup('/berth/c1', info)
  await assert.rejects(stat(join(a, 'berth', 'c1')), { code: 'ENOENT' })
  await stat(join(a, 'berth'))
  await removeCgroup('/berth/c1', info)
  await assert.rejects(removeCgroup('/../etc', info), { kind: 'InvalidArgument' })
})

test('removeCgroup() on a real hierarchy removes a cgroup created in each of them', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to create cgroups')
  const info = await detectCgroups()
  const name = `/berth-test-${process.pid}`
  t.after(() => removeCgroup(name, info))
  for (const h of info.hierarchies) await mkdir(join(h.mountPoint, name))
  await removeCgroup(name, info)
  for (const h of info.hierarchies) await assert.rejects(stat(join(h.mountPoint, name)), { code: 'ENOENT' })
})
