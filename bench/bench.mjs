// Container start benchmark: median and p95 of `run --rm busybox true` through the berth CLI, through the
// real docker CLI against berthd, and raw `crun run` of a prepared bundle, interleaved in one run so the
// machine's noise hits all of them alike. Writes bench/results/<date>.md.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, symlinkSync, rmSync, readFileSync, existsSync, openSync } from 'node:fs'
import { join } from 'node:path'

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] ?? 0) || 20

const dataRoot = mkdtempSync('/var/tmp/berth-bench-')
const execRoot = mkdtempSync('/run/bb-')
const sock = join(execRoot, 'berth.sock')
const host = `unix://${sock}`
const log = openSync(join(dataRoot, 'berthd.log'), 'a')
const daemon = spawn('bin/berthd', ['-H', host, '--data-root', dataRoot, '--exec-root', execRoot], { stdio: ['ignore', log, log] })

const sh = (cmd, argv, env = {}) => spawnSync(cmd, argv, { env: { ...process.env, ...env }, encoding: 'utf8' })
const time = (fn) => {
  const t0 = process.hrtime.bigint()
  const r = fn()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${r.stderr}`)
  return ms
}

function prepareBundle() {
  const b = join(dataRoot, 'bundle')
  mkdirSync(join(b, 'rootfs/bin'), { recursive: true })
  copyFileSync('/bin/busybox', join(b, 'rootfs/bin/busybox'))
  symlinkSync('busybox', join(b, 'rootfs/bin/true'))
  sh('crun', ['spec', '-b', b])
  const spec = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8'))
  spec.process.terminal = false
  spec.process.args = ['/bin/true']
  writeFileSync(join(b, 'config.json'), JSON.stringify(spec))
  return b
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]
  return { min: s[0], median: q(0.5), p95: q(0.95) }
}

try {
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100))
  await new Promise((r) => setTimeout(r, 300))
  const boot = sh('bin/berth', ['-H', host, 'image', 'bootstrap', 'busybox'])
  if (boot.status !== 0) throw new Error(`bootstrap failed: ${boot.stderr}`)
  const bundle = prepareBundle()
  const crunRoot = join(execRoot, 'bench-crun')
  const scenarios = {
    'berth run --rm busybox true': () => sh('bin/berth', ['-H', host, 'run', '--rm', 'busybox', 'true']),
    'docker run --rm busybox true (against berthd)': () => sh('docker', ['run', '--rm', 'busybox', 'true'], { DOCKER_HOST: host }),
    'crun run (prepared bundle)': (i) => sh('crun', ['--root', crunRoot, 'run', '-b', bundle, `bench-${i}`]),
  }
  const results = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]))
  for (const fn of Object.values(scenarios)) fn('warm') // warm-up
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(scenarios)) results[name].push(time(() => fn(i)))
  }
  const date = new Date().toISOString().replace(/[:]/g, '-').slice(0, 16)
  const crun = stats(results['crun run (prepared bundle)']).median
  let md = `# berth benchmark ${new Date().toISOString()}\n\nMachine: ${sh('nproc', []).stdout.trim()} cores, ` +
    `${sh('uname', ['-r']).stdout.trim()}; ${runs} runs each, interleaved.\n\n` +
    `| scenario | min ms | median ms | p95 ms | median / crun run |\n|---|---|---|---|---|\n`
  for (const [name, xs] of Object.entries(results)) {
    const s = stats(xs)
    md += `| ${name} | ${s.min.toFixed(1)} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} | ${(s.median / crun).toFixed(1)}x |\n`
  }
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(`bench/results/${date}.md`, md)
  process.stdout.write(md + `\nwritten to bench/results/${date}.md\n`)
} finally {
  sh('bin/berth', ['-H', host, 'rm', '-f', ...sh('bin/berth', ['-H', host, 'ps', '-aq']).stdout.split('\n').filter(Boolean)])
  daemon.kill('SIGTERM')
  await new Promise((r) => setTimeout(r, 500))
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dataRoot) || m.startsWith(execRoot))
  for (const m of mounts.sort((a, b) => b.length - a.length)) sh('umount', ['-l', m])
  rmSync(dataRoot, { recursive: true, force: true })
  rmSync(execRoot, { recursive: true, force: true })
}
