// Networking benchmark for berth alone: HTTP requests/s and p99 latency (ab against busybox httpd)
// through a published port on 127.0.0.1 (nftables DNAT + route_localnet, what berth does), straight
// to the container's address, container to container, and through a userland TCP proxy in node
// (the alternative design, for comparison); then the time of `network create` + `run --network` + `rm`.
// Usage: node bench/network.mjs [--requests N] [--runs N]. Writes bench/results/network-<date>.md.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { sh, must, timeOnce, stats, umountUnder } from './lib.mjs'
import { binDir, startBerthd } from './berthd.mjs'

const args = process.argv.slice(2)
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const requests = Number(opt('--requests')) || 5000
const runs = Number(opt('--runs')) || 5
const repo = join(import.meta.dirname, '..')

const dataRoot = mkdtempSync('/var/tmp/berth-nbench-')
const execRoot = mkdtempSync('/run/bn-')
const prefix = `bn${process.pid.toString(16).slice(-4)}`
let berthd
let host
const berthBin = join(binDir, 'berth')
const berth = (argv) => must(berthBin, ['-H', host, ...argv])

/** ab's requests/s and 99th percentile (ms) for url. */
function ab(url) {
  const out = must('ab', ['-q', '-n', String(requests), '-c', '8', url])
  const rps = Number(/Requests per second:\s+([\d.]+)/.exec(out)?.[1])
  const p99 = Number(/\s99%\s+(\d+)/.exec(out)?.[1])
  return { rps, p99 }
}

/**
 * A userland proxy like docker-proxy (one TCP connection to the container per client connection),
 * in its own process: ab runs synchronously and would block this one.
 */
async function startProxy(targetHost, targetPort, listenPort) {
  const code = `const net=require('node:net');net.createServer((c)=>{const u=net.connect(${targetPort},'${targetHost}');c.pipe(u).pipe(c);const e=()=>{c.destroy();u.destroy()};c.on('error',e);u.on('error',e)}).listen(${listenPort},'127.0.0.1',()=>console.log('ready'))`
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve) => child.stdout.once('data', resolve))
  return child
}

const rows = []
try {
  berthd = await startBerthd({ dataRoot, execRoot, logFile: join(dataRoot, 'berthd.log'), net: { prefix, bip: '10.249.3.1/24', pool: '10.249.0.0/16' } })
  host = berthd.host
  berth(['image', 'bootstrap', 'busybox'])
  berth(['run', '-d', '--name', 'web', '-p', '127.0.0.1:18099:80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc'])
  const ip = berth(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', 'web']).trim()
  await sleep(300)
  const proxyPort = 18098
  const proxy = await startProxy(ip, 80, proxyPort)
  const paths = [
    ['published port 127.0.0.1 (DNAT + route_localnet)', 'http://127.0.0.1:18099/hostname'],
    ['container address directly (bridge)', `http://${ip}/hostname`],
    ['userland proxy in node (for comparison)', `http://127.0.0.1:${proxyPort}/hostname`],
  ]
  const results = new Map(paths.map(([name]) => [name, []]))
  for (let r = 0; r < runs; r++) for (const [name, url] of paths) results.get(name).push(ab(url))
  proxy.kill()
  for (const [name, list] of results) {
    rows.push(`| ${name} | ${stats(list.map((x) => x.rps)).median.toFixed(0)} | ${stats(list.map((x) => x.p99)).median} |`)
  }
  // Container to container over the bridge (busybox wget in a loop; time per request).
  const c2c = timeOnce(() => sh(berthBin, ['-H', host, 'run', '--rm', 'busybox', 'sh', '-c',
    `i=0; while [ $i -lt 200 ]; do wget -qO- http://${ip}/hostname >/dev/null || exit 1; i=$((i+1)); done`]))
  rows.push(`| container to container, 200 sequential wget (incl. one container start) | ${(200 / (c2c.ms / 1000)).toFixed(0)} | - |`)
  berth(['rm', '-f', 'web'])

  const cycle = []
  for (let r = 0; r < runs; r++) {
    cycle.push(timeOnce(() => {
      const a = sh(berthBin, ['-H', host, 'network', 'create', `n${r}`])
      if (a.status !== 0) return a
      const b = sh(berthBin, ['-H', host, 'run', '--rm', '--network', `n${r}`, 'busybox', 'true'])
      if (b.status !== 0) return b
      return sh(berthBin, ['-H', host, 'network', 'rm', `n${r}`])
    }).ms)
  }
  const c = stats(cycle)
  const report = [
    `# berth networking benchmark (${new Date().toISOString()})`, '',
    `ab -n ${requests} -c 8 against busybox httpd, median of ${runs} rounds.`, '',
    '| path | requests/s | p99 ms |', '|---|---|---|', ...rows, '',
    `network create + run --rm --network + network rm: median ${c.median.toFixed(0)} ms, min ${c.min.toFixed(0)} ms, p95 ${c.p95.toFixed(0)} ms (${runs} runs)`, '',
  ].join('\n')
  mkdirSync(join(repo, 'bench/results'), { recursive: true })
  writeFileSync(join(repo, `bench/results/network-${new Date().toISOString().slice(0, 16).replace(':', '-')}.md`), report)
  process.stdout.write(report)
} finally {
  if (berthd) {
    sh(berthBin, ['-H', host, 'rm', '-f', 'web'])
    await berthd.stop()
  }
  umountUnder([dataRoot, execRoot])
  rmSync(dataRoot, { recursive: true, force: true })
  rmSync(execRoot, { recursive: true, force: true })
}
