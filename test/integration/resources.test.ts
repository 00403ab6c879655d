// cgroup limits, live updates, stats and pause against real containers, read back from the cgroup
// filesystem (v1 or v2, whichever holds the controller on this host).
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { Daemon, isRoot, sleep } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

/** The file of `controller` for cgroup /berth/<id>: the v1 hierarchy when mounted, else the unified one. */
function cgroupFile(id: string, v1Controller: string, v1File: string, v2File: string): string {
  const v1 = `/sys/fs/cgroup/${v1Controller}/berth/${id}/${v1File}`
  if (existsSync(`/sys/fs/cgroup/${v1Controller}`)) return v1
  const unified = existsSync('/sys/fs/cgroup/unified') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup'
  return `${unified}/berth/${id}/${v2File}`
}

/** Cumulative CPU time of the container's cgroup in ns. */
function cpuUsageNs(id: string): number {
  const v1 = `/sys/fs/cgroup/cpuacct/berth/${id}/cpuacct.usage`
  if (existsSync(v1)) return Number(readFileSync(v1, 'utf8'))
  const stat = readFileSync(cgroupFile(id, 'cpu', 'cpu.stat', 'cpu.stat'), 'utf8')
  return Number(/usage_usec (\d+)/.exec(stat)?.[1] ?? 0) * 1000
}

describe('resource limits', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())
  const inspect = (id: string, format: string): string => d.docker(['inspect', '--format', format, id]).stdout.trim()

  test('a process allocating past --memory 32m is OOM-killed: OOMKilled true, exit 137, oom event', async () => {
    const r = d.docker(['run', '--memory', '32m', 'busybox', 'sh', '-c', 'x=aaaaaaaa; while true; do x=$x$x; done'], { timeoutMs: 60_000 })
    assert.equal(r.code, 137, r.stderr)
    const id = d.docker(['ps', '-lq', '--no-trunc']).stdout.trim()
    assert.equal(inspect(id, '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'), `true 137 ${32 * 1024 * 1024} ${64 * 1024 * 1024}`)
    const events = d.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--filter', 'event=oom', '--format', '{{.Action}}'])
    assert.equal(events.stdout.trim(), 'oom')
  })

  test('--pids-limit 20 stops a fork loop', () => {
    // A subshell forks 40 sleeps and records how far it got; its forks fail once 20 pids exist.
    // Only builtins run after it, since the sleeps hold every pid.
    const r = d.berth(['run', '--rm', '--pids-limit', '20', 'busybox', 'sh', '-c',
      '( for i in $(seq 1 40); do sleep 2 & echo $i > /tmp/n; done ) 2>/dev/null; read n < /tmp/n; ' +
      '{ read m < /sys/fs/cgroup/pids/pids.max || read m < /sys/fs/cgroup/pids.max; } 2>/dev/null; echo $m; echo $n'], { timeoutMs: 30_000 })
    assert.equal(r.code, 0, r.stderr)
    const [max, forked] = r.stdout.trim().split('\n')
    assert.equal(max, '20')
    assert.ok(Number(forked) > 0 && Number(forked) < 20, `sleeps forked: ${forked}`)
  })

  test('--cpus 0.5 keeps a busy loop near half a CPU (from the cgroup usage)', async () => {
    const id = d.docker(['run', '-d', '--cpus', '0.5', 'busybox', 'sh', '-c', 'while true; do :; done']).stdout.trim()
    try {
      assert.equal(inspect(id, '{{.HostConfig.NanoCpus}}'), '500000000')
      await sleep(300)
      const u0 = cpuUsageNs(id)
      const t0 = process.hrtime.bigint()
      await sleep(2000)
      const share = (cpuUsageNs(id) - u0) / Number(process.hrtime.bigint() - t0)
      assert.ok(share > 0.25 && share < 0.75, `cpu share ${share.toFixed(2)}`)
    } finally {
      d.docker(['rm', '-f', id])
    }
  })

  test('update --memory changes the limit of a running container live', () => {
    const id = d.docker(['run', '-d', '--memory', '64m', 'busybox', 'sleep', '300']).stdout.trim()
    try {
      const file = cgroupFile(id, 'memory', 'memory.limit_in_bytes', 'memory.max')
      assert.equal(readFileSync(file, 'utf8').trim(), String(64 * 1024 * 1024))
      const r = d.docker(['update', '--memory', '96m', '--memory-swap', '192m', id])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(readFileSync(file, 'utf8').trim(), String(96 * 1024 * 1024))
      assert.equal(inspect(id, '{{.HostConfig.Memory}}'), String(96 * 1024 * 1024))
      const b = d.berth(['update', '--pids-limit', '50', '--cpus', '1.5', id])
      assert.equal(b.code, 0, b.stderr)
      assert.equal(b.stdout.trim(), id)
      assert.equal(readFileSync(cgroupFile(id, 'pids', 'pids.max', 'pids.max'), 'utf8').trim(), '50')
      assert.equal(inspect(id, '{{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}'), '50 1500000000')
    } finally {
      d.docker(['rm', '-f', id])
    }
  })

  test('--oom-kill-disable, --cpu-shares, --cpuset-cpus, --memory-reservation reach the cgroup; --blkio-weight warns where unsupported', () => {
    const r = d.docker(['run', '-d', '--memory', '32m', '--oom-kill-disable', '--cpu-shares', '512', '--cpuset-cpus', '0',
      '--memory-reservation', '16m', 'busybox', 'sleep', '300'])
    assert.equal(r.code, 0, r.stderr)
    const id = r.stdout.trim()
    try {
      assert.equal(inspect(id, '{{.HostConfig.OomKillDisable}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.MemoryReservation}}'), `true 512 0 ${16 << 20}`)
      assert.equal(readFileSync(cgroupFile(id, 'cpuset', 'cpuset.cpus', 'cpuset.cpus'), 'utf8').trim(), '0')
      if (existsSync('/sys/fs/cgroup/memory')) {
        // cgroup v1 files (v2 maps these to memory.low and cpu.weight)
        assert.match(readFileSync(cgroupFile(id, 'memory', 'memory.oom_control', ''), 'utf8'), /oom_kill_disable 1/)
        assert.equal(readFileSync(cgroupFile(id, 'memory', 'memory.soft_limit_in_bytes', ''), 'utf8').trim(), String(16 << 20))
        assert.equal(readFileSync(cgroupFile(id, 'cpu', 'cpu.shares', ''), 'utf8').trim(), '512')
      }
    } finally {
      d.docker(['rm', '-f', id])
    }
    const weighted = d.docker(['create', '--blkio-weight', '300', 'busybox', 'true'])
    assert.equal(weighted.code, 0, weighted.stderr)
    const supported = existsSync('/sys/fs/cgroup/blkio/blkio.weight') || existsSync('/sys/fs/cgroup/blkio/blkio.bfq.weight') || !existsSync('/sys/fs/cgroup/blkio')
    if (!supported) assert.match(weighted.stderr, /Your kernel does not support Block I\/O weight or the cgroup is not mounted\. Weight discarded\./)
    d.docker(['rm', weighted.stdout.trim()])
  })

  test('invalid limits get Docker\'s messages', async () => {
    const small = d.docker(['run', '--memory', '1m', 'busybox', 'true'])
    assert.notEqual(small.code, 0)
    assert.match(small.stderr, /Minimum memory limit allowed is 6MB/)
    const cpus = d.berth(['create', '--cpus', '64', 'busybox', 'true'])
    assert.match(cpus.stderr, /Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available/)
    const api = await d.api('POST', '/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { Memory: 64 << 20, MemoryReservation: 128 << 20 } }))
    assert.equal(api.status, 400)
    assert.match(api.body, /Minimum memory limit can not be less than memory reservation limit/)
  })

  test('--ulimit and --shm-size reach the container', () => {
    const r = d.berth(['run', '--rm', '--ulimit', 'nproc=100:200', '--ulimit', 'nofile=512:1024', '--shm-size', '32m', 'busybox', 'sh', '-c',
      'ulimit -u; ulimit -Hu; ulimit -n; df -k /dev/shm | tail -1'])
    assert.equal(r.code, 0, r.stderr)
    const [soft, hard, nofile, shm] = r.stdout.trim().split('\n')
    assert.deepEqual([soft, hard, nofile], ['100', '200', '512'])
    assert.match(shm ?? '', /\s32768\s/)
  })

  test('pause freezes a container, unpause thaws it, stop ends a paused one', async () => {
    const id = d.docker(['run', '-d', 'busybox', 'sh', '-c', 'while true; do sleep 0.1; done']).stdout.trim()
    assert.equal(d.docker(['pause', id]).code, 0)
    assert.equal(inspect(id, '{{.State.Status}} {{.State.Paused}} {{.State.Running}}'), 'paused true true')
    const freezer = cgroupFile(id, 'freezer', 'freezer.state', 'cgroup.freeze')
    assert.match(readFileSync(freezer, 'utf8').trim(), /^(FROZEN|1)$/)
    assert.match(d.docker(['ps', '--filter', 'status=paused', '--format', '{{.Status}}']).stdout, /\(Paused\)/)
    const again = d.docker(['pause', id])
    assert.match(again.stderr, /is already paused/)
    assert.equal(d.berth(['unpause', id]).code, 0)
    assert.equal(inspect(id, '{{.State.Status}} {{.State.Paused}}'), 'running false')
    assert.match(d.berth(['unpause', id]).stderr, /is not paused/)
    assert.equal(d.berth(['pause', id]).code, 0)
    assert.equal(d.docker(['stop', '-t', '1', id]).code, 0)
    assert.equal(inspect(id, '{{.State.Status}} {{.State.Paused}}'), 'exited false')
    const actions = d.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--format', '{{.Action}}']).stdout
    assert.match(actions, /pause\nunpause\npause\n/)
    d.docker(['rm', '-f', id])
  })

  test('stats: the docker CLI reads berth\'s stats JSON; the API shape matches Docker\'s', async () => {
    const id = d.docker(['run', '-d', '--name', 'statme', '--memory', '64m', 'busybox', 'sh', '-c', 'while true; do :; done']).stdout.trim()
    try {
      const r = d.docker(['stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}', id])
      assert.equal(r.code, 0, r.stderr)
      const [name, cpu, mem, pids] = r.stdout.trim().split('|')
      assert.equal(name, 'statme')
      assert.ok(Number(cpu?.replace('%', '')) > 5, `cpu ${cpu}`)
      assert.match(mem ?? '', / \/ 64MiB$/)
      assert.equal(pids, '1')
      const table = d.berth(['stats', '--no-stream', id])
      assert.equal(table.code, 0, table.stderr)
      assert.match(table.stdout, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS\n/)
      assert.match(table.stdout, new RegExp(`\\n${id.slice(0, 12)}\\s+statme\\s+\\d+\\.\\d\\d%\\s+\\S+ / 64MiB\\s+\\d+\\.\\d\\d%\\s+0B / 0B\\s+\\S+ / \\S+\\s+1\\n`))
      const api = await d.api('GET', `/containers/${id}/stats?stream=false`)
      const s = JSON.parse(api.body) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.equal(s.name, '/statme')
      assert.ok(s.cpu_stats.cpu_usage.total_usage > s.precpu_stats.cpu_usage.total_usage)
      assert.ok(s.cpu_stats.system_cpu_usage > s.precpu_stats.system_cpu_usage)
      assert.ok(s.cpu_stats.online_cpus >= 1)
      assert.equal(typeof s.cpu_stats.throttling_data.throttled_periods, 'number')
      assert.equal(s.memory_stats.limit, 64 * 1024 * 1024)
      assert.ok(s.memory_stats.usage > 0)
      assert.equal(typeof s.memory_stats.stats, 'object')
      assert.equal(s.pids_stats.current, 1)
      assert.ok('io_service_bytes_recursive' in s.blkio_stats)
      assert.notEqual(s.preread, '0001-01-01T00:00:00Z')
      const oneShot = JSON.parse((await d.api('GET', `/containers/${id}/stats?stream=false&one-shot=true`)).body) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.equal(oneShot.preread, '0001-01-01T00:00:00Z')
    } finally {
      d.docker(['rm', '-f', id])
    }
  })
})
