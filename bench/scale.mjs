// Scenarios measured once per engine per round (not per-invocation CLI timings): 100 containers started
// concurrently, memory per running container (monitor processes + daemon growth), daemon CPU while idle
// with those containers running, reading a 100 MB log, a network's life cycle, container to container.
import { spawn } from 'node:child_process'
import { processes, vmRssKb, sleep, cpuTicks, clockTicks } from './lib.mjs'

/** Runs argv asynchronously with stdout discarded; resolves { status, stderr }. */
export function runAsync([cmd, argv, env], { stdout = 'ignore' } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', (e) => resolve({ status: 1, stderr: e.message }))
    child.on('close', (status) => resolve({ status, stderr }))
  })
}

/** Wall ms for `n` concurrent `run -d --network none busybox sleep 1000000`; names scale-<i>. */
export async function concurrentStart(engine, n) {
  const t0 = process.hrtime.bigint()
  const results = await Promise.all(Array.from({ length: n }, (_, i) =>
    runAsync(engine.cmd(['run', '-d', '--network', 'none', '--name', `scale-${i}`, 'busybox', 'sleep', '1000000']))))
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const failed = results.filter((r) => r.status !== 0)
  if (failed.length) throw new Error(`${failed.length}/${n} failed: ${failed[0].stderr.trim().split('\n').pop()}`)
  return ms
}

/** Sum of VmRSS (kB) of processes whose comm matches and whose command line names one of the roots. */
export function monitorRssKb(comm, roots) {
  const ps = processes().filter((p) => comm.test(p.comm) && roots.some((r) => p.cmdline.includes(r)))
  return { count: ps.length, kb: ps.reduce((sum, p) => sum + (vmRssKb(p.pid) ?? 0), 0) }
}

/** CPU % (of one core) used by the given pids together over `ms`. */
export async function cpuPercent(pids, ms) {
  const hz = clockTicks()
  const before = pids.map(cpuTicks)
  await sleep(ms)
  const after = pids.map(cpuTicks)
  let used = 0
  for (let i = 0; i < pids.length; i++) if (before[i] !== undefined && after[i] !== undefined) used += after[i] - before[i]
  return (used / hz) / (ms / 1000) * 100
}

/** Makes a stopped container `name` whose log holds ~`mb` MB of 76-column base64 lines. */
export async function makeBigLog(engine, name, mb) {
  const bytes = Math.round(mb * 1e6 * 57 / 77) // base64 grows 57 → 76 chars + newline
  const r = await runAsync(engine.cmd(['run', '--name', name, '--network', 'none', 'busybox', 'sh', '-c', `head -c ${bytes} /dev/urandom | base64`]))
  if (r.status !== 0) throw new Error(`log writer failed: ${r.stderr.trim().split('\n').pop()}`)
}

/** Wall ms of `logs name` with its output discarded. */
export async function timeLogs(engine, name) {
  const t0 = process.hrtime.bigint()
  const r = await runAsync(engine.cmd(['logs', name]))
  if (r.status !== 0) throw new Error(`logs failed: ${r.stderr.trim().split('\n').pop()}`)
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** Wall ms of `network create` + `run --rm --network` + `network rm`, as one user would type them. */
export async function networkLifecycle(engine, name) {
  const t0 = process.hrtime.bigint()
  for (const argv of [['network', 'create', name], ['run', '--rm', '--network', name, 'busybox', 'true'], ['network', 'rm', name]]) {
    const r = await runAsync(engine.cmd(argv))
    if (r.status !== 0) {
      await runAsync(engine.cmd(['network', 'rm', name]))
      throw new Error(`${argv.slice(0, 2).join(' ')} failed: ${r.stderr.trim().split('\n').pop()}`)
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/**
 * Container-to-container: a busybox client on a user network fetches from a busybox httpd `n` times
 * in a row (one wget process and connection each, timed inside the client); returns req/s.
 */
export async function containerToContainerRps(engine, n) {
  const net = 'bench-c2c'
  const steps = [
    ['network', 'create', net],
    ['run', '-d', '--name', 'bench-c2c-web', '--network', net, 'busybox', 'sh', '-c', 'mkdir -p /tmp && echo hello > /tmp/index.html && exec httpd -f -p 80 -h /tmp'],
    ['run', '-d', '--name', 'bench-c2c-client', '--network', net, 'busybox', 'sleep', '100000'],
  ]
  try {
    for (const argv of steps) {
      const r = await runAsync(engine.cmd(argv))
      if (r.status !== 0) throw new Error(`${argv.slice(0, 2).join(' ')} failed: ${r.stderr.trim().split('\n').pop()}`)
    }
    const ip = engine.cli(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'bench-c2c-web']).stdout.trim()
    // busybox date has no %N: /proc/uptime's centiseconds time the loop (seconds of requests).
    const script = `wget -q -O /dev/null http://${ip}/ || exit 1; s=$(cut -d' ' -f1 /proc/uptime); i=0; while [ $i -lt ${n} ]; do wget -q -O /dev/null http://${ip}/ || exit 1; i=$((i+1)); done; e=$(cut -d' ' -f1 /proc/uptime); echo "$s $e"`
    const r = engine.cli(['exec', 'bench-c2c-client', 'sh', '-c', script])
    if (r.status !== 0) throw new Error(`client failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`)
    const [s0, s1] = r.stdout.trim().split(' ').map(Number)
    return n / (s1 - s0)
  } finally {
    await runAsync(engine.cmd(['rm', '-f', 'bench-c2c-web', 'bench-c2c-client']))
    await runAsync(engine.cmd(['network', 'rm', net]))
  }
}
