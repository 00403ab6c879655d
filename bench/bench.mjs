// Side-by-side benchmark: berth (through its own CLI and through the real docker CLI 28), raw `crun run`
// and, with --with-peers, Docker (dockerd + containerd + runc) and Podman (conmon + crun), all driven in
// the same run and interleaved round by round so the machine's noise hits every engine alike.
// Writes bench/results/<date>.md and prints it.
// Usage: node bench/bench.mjs [--runs N] [--with-peers] [--only NAME,...|help] [--port-batches N] [--port-requests N]
//        [--port-wrk-batches N (0: no wrk)] [--port-wrk-seconds S]
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sh, must, timeOnce, sleep, vmRssKb, httpStatus, busyboxRootfs, interruptible } from './lib.mjs'
import { mountMissingCgroupControllers } from './host-state.mjs'
import { DOCKER, DOCKER_CLI, PODMAN, dockerEnv, peerVersions, containerdPid, dockerLogTail, peerSession, tearDown } from './peers.mjs'
import { binDir, startBerthd } from './berthd.mjs'
import { timingTable, rssTable, goalLines, scaleTable, portTable, wrkTable, batchRatios } from './report.mjs'
import { concurrentStart, monitorRssKb, cpuPercent, makeBigLog, timeLogs, networkLifecycle, containerToContainerRps } from './scale.mjs'
import { portPhase } from './ports.mjs'
import { selectScenarios, usage } from './select.mjs'
import { chart } from './chart.mjs'

const args = process.argv.slice(2)
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const runs = Number(opt('--runs')) || 10
const withPeers = args.includes('--with-peers')
if (opt('--only') === 'help') {
  console.log(usage())
  process.exit(0)
}
let selected
try { selected = selectScenarios(opt('--only')) } catch (e) {
  console.error(`bench: ${e.message}`)
  process.exit(2)
}
if (selected.size === 0) {
  console.log('bench.mjs: no scenario of its own selected (build and registry are bench/build.mjs and bench/registry.mjs)')
  process.exit(0)
}
const want = (name) => selected.has(name)
const PORT_BATCHES = Number(opt('--port-batches')) || 10
const PORT_REQUESTS = Number(opt('--port-requests')) || 100
const PORT_WRK_BATCHES = opt('--port-wrk-batches') !== undefined ? Number(opt('--port-wrk-batches')) : 10
const PORT_WRK_SECONDS = Number(opt('--port-wrk-seconds')) || 1
const PS_POPULATION = 100
const PS_LARGE = 1000
const SCALE = 100
const LOG_MB = 100

const { checkpoint, interrupted } = interruptible()

const setupNotes = []   // what the bench did to the host (the peers' own notes are in peers.setupNotes), for the report
const peers = withPeers ? peerSession({ install: true }) : undefined

// berth's private daemon (temporary roots, as the tests use).
const dataRoot = mkdtempSync('/var/tmp/berth-bench-')
const execRoot = mkdtempSync('/run/bb-')
let berthd
let host

function prepareBundle(rootfs) {
  const b = join(dataRoot, 'bundle')
  mkdirSync(b, { recursive: true })
  must('crun', ['spec', '-b', b])
  const spec = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8'))
  spec.process.terminal = false
  spec.process.args = ['/bin/true']
  spec.root = { path: rootfs, readonly: true }
  writeFileSync(join(b, 'config.json'), JSON.stringify(spec))
  return b
}

/** Every engine: id, kind ('berth' | 'docker' | 'podman' | 'ref'), display name, cli(argv) → spawnSync result. */
function engines(versions) {
  const list = [
    { id: 'berth-cli', kind: 'berth', name: 'berth CLI → berthd', cmd: (a) => [join(binDir, 'berth'), ['-H', host, ...a], {}] },
    { id: 'docker-berth', kind: 'berth', name: `docker CLI ${versions.dockerCli} → berthd`, cmd: (a) => [DOCKER_CLI, a, { DOCKER_HOST: host }] },
  ]
  if (withPeers) {
    list.push({ id: 'docker', kind: 'docker', name: `Docker ${versions.dockerd} (docker CLI ${versions.dockerCli})`, cmd: (a) => [DOCKER_CLI, a, dockerEnv] })
    list.push({ id: 'podman', kind: 'podman', name: `Podman ${versions.podman}`, cmd: (a) => ['podman', [...peers.podman.args, ...a], peers.podman.env] })
  }
  // cmd(argv) → [command, argv, env] for async runs; cli(argv) runs it synchronously.
  return list.map((e) => ({ ...e, cli: (a) => sh(...e.cmd(a)) }))
}

let seq = 0
/** Scenario cells: { engine, run() → spawnSync result, after?(stdout) } or { engine, na: reason }. */
function scenarios(all, bundle, crunRoot, exec) {
  const crun = { id: 'crun', kind: 'ref', name: 'crun run (prepared bundle, reference)' }
  const berthNodeCli = { id: 'berth-node-cli', kind: 'berth', name: 'berth CLI, node path (bin/berth.js, no curl fast path)' }
  const each = (fn) => all.map((engine) => ({ engine, ...fn(engine) }))
  return [
    { id: 'run-none', phase: 1, title: '`run --rm --network none busybox true`', cells: [
      ...each((e) => ({ run: () => e.cli(['run', '--rm', '--network', 'none', 'busybox', 'true']) })),
      { engine: crun, run: () => sh('crun', ['--root', crunRoot, 'run', '-b', bundle, `bench-${seq++}`]) },
    ] },
    { id: 'run-default', phase: 1, title: '`run --rm busybox true` (default network)', cells: each((e) => ({ run: () => e.cli(['run', '--rm', 'busybox', 'true']) })) },
    { id: 'create', phase: 1, title: '`create busybox true` (rm untimed)', cells: each((e) => ({
      run: () => e.cli(['create', 'busybox', 'true']),
      after: (out) => e.cli(['rm', out.trim().split('\n').pop()]),
    })) },
    { id: 'ps-0', phase: 1, title: '`ps -a`, 0 containers', cells: each((e) => ({ run: () => e.cli(['ps', '-a']) })) },
    { id: 'cli-version', phase: 1, title: '`--version` (client start-up alone)', cells: each((e) => (e.id === 'docker-berth'
      ? { na: 'the same docker CLI as Docker\'s row' }
      : { run: () => e.cli(['--version']) })) },
    { id: 'exec', phase: 2, title: '`exec c true` (running container)', cells: each((e) => (exec[e.id]
      ? { na: exec[e.id] }
      : { run: () => e.cli(['exec', 'bench-exec', 'true']) })) },
    { id: 'ps-100', phase: 3, title: `\`ps -a\`, ${PS_POPULATION} created containers`, cells: each((e) => ({ run: () => e.cli(['ps', '-a']) })) },
    { id: 'ps-1000', phase: 4, title: `\`ps -a\`, ${PS_LARGE} created containers`, cells: [
      ...each((e) => ({ run: () => e.cli(['ps', '-a']) })),
      // bin/berth answers `ps` with curl from berthd's rendered GET /berth/cli/ps (the berth CLI row); this is
      // the node CLI it falls back to, run as bin/berth runs it (without NODE_EXTRA_CA_CERTS).
      { engine: berthNodeCli, run: () => sh('env', ['-u', 'NODE_EXTRA_CA_CERTS', process.execPath, join(binDir, 'berth.js'), '-H', host, 'ps', '-a']) },
    ] },
    // The daemon's own share of `ps -a`: the same request without a CLI decoding and printing it.
    { id: 'ps-1000-http', phase: 4, title: `\`GET /containers/json?all=1\` with curl on the socket, ${PS_LARGE} containers`, cells: each((e) => {
      if (e.id === 'berth-cli') return { na: 'the same daemon as the docker CLI → berthd row' }
      if (e.kind === 'podman') return { na: 'daemonless (no API socket)' }
      return { run: () => sh('curl', ['-sf', '-o', '/dev/null', '--unix-socket', e.kind === 'docker' ? DOCKER.sock : berthd.sock, 'http://localhost/containers/json?all=1']) }
    }) },
  ]
}

/** Times one cell once; a failing cell is marked failed and not run again. */
function measure(cell, record) {
  if (cell.na || cell.error) return
  try {
    const { ms, stdout } = timeOnce(cell.run)
    if (record) cell.samples.push(ms)
    const r = cell.after?.(stdout)
    if (r && r.status !== 0) throw new Error(`untimed clean-up step failed: ${r.stderr.trim()}`)
  } catch (e) {
    cell.error = e.message
  }
}

async function runPhase(list) {
  for (const s of list) for (const c of s.cells) c.samples = []
  for (const s of list) for (const c of s.cells) { measure(c, false); await checkpoint() } // warm-up
  for (let i = 0; i < runs; i++) {
    for (const s of list) {
      // Rotate the engine order each round so no engine always runs right after another.
      const n = s.cells.length
      for (let k = 0; k < n; k++) { measure(s.cells[(i + k) % n], true); await checkpoint() }
    }
  }
}

/** Creates `n` containers through the Engine API (fast) or podman's CLI; no timing. */
async function populate(all, n) {
  for (const e of all) {
    if (e.id === 'berth-cli') continue // the same daemon as docker-berth
    for (let i = 0; i < n; i++) {
      if (e.kind === 'podman') {
        // One retry: podman's lock can time out while the machine is busy.
        const r = e.cli(['create', 'busybox', 'true'])
        if (r.status !== 0 && e.cli(['create', 'busybox', 'true']).status !== 0) throw new Error(`podman create failed: ${r.stderr.trim()}`)
      } else {
        const status = await httpStatus(e.id === 'docker' ? DOCKER.sock : berthd.sock, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] })
        if (status !== 201) throw new Error(`${e.name}: POST /containers/create returned ${status}`)
      }
      if (i % 10 === 0) await checkpoint()
    }
  }
}

function removeAll(all) {
  for (const e of all) {
    if (e.id === 'berth-cli') continue
    const ids = e.cli(['ps', '-aq']).stdout.split('\n').filter(Boolean)
    if (ids.length) e.cli(['rm', '-f', ...ids])
  }
}

function daemonRss() {
  const mb = (kb) => (kb === undefined ? undefined : (kb / 1024).toFixed(1))
  const rows = [{ kind: 'berth', name: 'berthd', kb: vmRssKb(berthd.pid) }]
  if (withPeers) {
    const c = containerdPid(peers.dockerPid)
    const d = vmRssKb(peers.dockerPid)
    const ckb = c ? vmRssKb(c) : undefined
    rows.push({ kind: 'docker', name: `dockerd + containerd (${mb(d)} + ${mb(ckb)} MB)`, kb: d !== undefined && ckb !== undefined ? d + ckb : undefined })
    rows.push({ kind: 'podman', name: 'podman (daemonless)', kb: undefined })
  }
  return rows.map((r) => ({ ...r, mb: mb(r.kb) }))
}

let cgroupsMounted = []

/** Daemon pids per engine kind (berthd; dockerd + containerd; none for podman). */
function daemonPids(kind) {
  if (kind === 'berth') return [berthd.pid]
  if (kind === 'docker') return [peers.dockerPid, containerdPid(peers.dockerPid)].filter(Boolean)
  return []
}

const MONITORS = {
  berth: { comm: /^conmon$/, roots: () => [execRoot] },
  docker: { comm: /^containerd-shim/, roots: () => [DOCKER.execRoot, DOCKER.runDir, 'moby'] },
  podman: { comm: /^conmon$/, roots: () => [PODMAN.runDir, PODMAN.dir] },
}

/**
 * 100 concurrent starts (a few rounds), then with the last round's containers running: monitor RSS per
 * container, daemon RSS growth, daemon CPU over 10 s. berth-cli shares berthd with docker-berth, so
 * daemon-side figures are taken once for berth.
 */
async function concurrentPhase(engines, rounds) {
  const rows = []
  const start = { id: 'start-100', title: `${SCALE} \`run -d\` started concurrently (time until all returned)`, cells: engines.map((engine) => ({ engine, samples: [] })) }
  for (let round = 0; round < rounds; round++) {
    for (const cell of start.cells) {
      if (cell.error) continue
      const e = cell.engine
      const rssBefore = daemonPids(e.kind).reduce((sum, pid) => sum + (vmRssKb(pid) ?? 0), 0)
      try { cell.samples.push(await concurrentStart(e, SCALE)) } catch (err) { cell.error = err.message }
      await checkpoint()
      if (round === rounds - 1 && !cell.error) {
        await sleep(3000)
        const m = MONITORS[e.kind]
        const mon = monitorRssKb(m.comm, m.roots())
        const pids = daemonPids(e.kind)
        const rssAfter = pids.reduce((sum, pid) => sum + (vmRssKb(pid) ?? 0), 0)
        const cpu = pids.length ? await cpuPercent(pids, 10_000) : undefined
        rows.push({
          kind: e.kind, name: e.name.replace(/ \(docker CLI.*\)$/, '').replace(/^docker CLI \S+ → /, ''),
          monitors: mon.count, monitorMbPer: mon.count ? mon.kb / mon.count / 1024 : undefined,
          daemonGrowthMbPer: pids.length ? (rssAfter - rssBefore) / SCALE / 1024 : undefined, cpu,
        })
      }
      removeAll([e])
      await checkpoint()
    }
  }
  return { scenario: start, rows }
}

/** `logs` of a ~100 MB log, through every client. */
async function logsPhase(all, engines, rounds) {
  const logs = { id: 'logs-100mb', title: `\`logs c > /dev/null\`, ${LOG_MB} MB log`, cells: all.map((engine) => ({ engine, samples: [] })) }
  for (const e of engines) {
    try { await makeBigLog(e, 'bench-log', LOG_MB) } catch (err) {
      for (const c of logs.cells) if (c.engine.kind === e.kind) c.error = err.message
    }
  }
  for (let i = 0; i < rounds; i++) {
    for (const cell of logs.cells) {
      if (cell.error) continue
      try { cell.samples.push(await timeLogs(cell.engine, 'bench-log')) } catch (err) { cell.error = err.message }
      await checkpoint()
    }
  }
  removeAll(engines)
  return logs
}

/** network create + run --network + network rm, timed as one user sequence. */
async function networkLifecyclePhase(engines, rounds) {
  const netLife = { id: 'network-lifecycle', title: '`network create` + `run --rm --network` + `network rm`', cells: engines.map((engine) => ({ engine, samples: [] })) }
  for (let i = 0; i < rounds; i++) {
    for (const cell of netLife.cells) {
      if (cell.error) continue
      try { cell.samples.push(await networkLifecycle(cell.engine, `bench-net-${i}`)) } catch (err) { cell.error = err.message }
      await checkpoint()
    }
  }
  return netLife
}

/** Published port vs direct (ab, batches), then container to container; rows by engine name. */
async function portsPhase(engines) {
  const byName = new Map(engines.map((e) => [e.name, { kind: e.kind, name: e.name }]))
  let quiet = []
  if (want('ports')) {
    const r = await portPhase(engines, {
      batches: PORT_BATCHES, requests: PORT_REQUESTS, wrkBatches: PORT_WRK_BATCHES, wrkSeconds: PORT_WRK_SECONDS, pids: (e) => daemonPids(e.kind), checkpoint,
    })
    quiet = r.quiet
    for (const row of r.rows) byName.set(row.name, row)
  }
  if (want('c2c')) {
    for (const e of engines) {
      try { byName.get(e.name).c2c = await containerToContainerRps(e, 500) } catch (err) { byName.get(e.name).c2cError = err.message }
      await checkpoint()
    }
  }
  return { rows: [...byName.values()], quiet }
}

async function main() {
  const cgroups = cgroupsMounted = mountMissingCgroupControllers()
  setupNotes.push(cgroups.length
    ? `hybrid cgroups: mounted the missing v1 controller(s) ${cgroups.join(', ')} for crun (unmounted again at the end)`
    : 'hybrid cgroups: every enabled v1 controller in /proc/cgroups was already mounted; nothing to do for crun')
  let versions = {
    dockerCli: sh(DOCKER_CLI, ['version', '--format', '{{.Client.Version}}']).stdout.trim(),
    crun: sh('crun', ['--version']).stdout.split('\n')[0].split(' ')[2],
  }
  if (peers) {
    await peers.start() // before berthd, so the host record does not hold berthd's bridge
    versions = peerVersions()
  }
  // Its own bridge, nftables table and addresses (a /16: created containers hold an address).
  berthd = await startBerthd({ dataRoot, execRoot, logFile: join(dataRoot, 'berthd.log'), net: { prefix: 'bbench', bip: '172.30.0.1/16', pool: '172.29.0.0/16' } })
  host = berthd.host

  const { rootfs, tar, applets } = busyboxRootfs(dataRoot)
  must(join(binDir, 'berth'), ['-H', host, 'import', tar, 'busybox:latest'])
  if (peers) {
    must(DOCKER_CLI, ['import', tar, 'busybox:latest'], dockerEnv)
    if (peers.pm(['import', tar, 'busybox:latest']).status !== 0) throw new Error('podman import failed')
  }
  setupNotes.push(`one busybox rootfs tar (/bin/busybox + ${applets} applet symlinks) imported as busybox:latest into ${withPeers ? 'berth, Docker and Podman' : 'berth'}`)
  const bundle = prepareBundle(rootfs)
  const all = engines(versions)
  const daemons = all.filter((e) => e.id !== 'berth-cli') // berth-cli shares berthd with docker-berth
  const rounds = Math.min(runs, 3)

  await sleep(2000)
  const rssStart = daemonRss()
  // Idle means idle: daemons return memory some seconds after their last work (V8's memory reducer runs
  // about 8 s after start-up, Go's scavenger in the background), so RSS is also read once they settled.
  await sleep(10000)
  const rssSettled = daemonRss()

  // exec needs a running container; berth may not serve exec yet (then n/a, not a failure).
  const exec = {}
  const crunRoot = join(execRoot, 'bench-crun')
  const measured = []
  const pick = (phase) => scenarios(all, bundle, crunRoot, exec).filter((s) => s.phase === phase && want(s.id === 'ps-1000-http' ? 'ps-1000' : s.id))
  const phase = async (list) => { await runPhase(list); measured.push(...list) }
  await phase(pick(1))

  if (want('exec')) {
    for (const e of daemons) {
      const r = e.cli(['run', '-d', '--network', 'none', '--name', 'bench-exec', 'busybox', 'sleep', '1000000'])
      if (r.status !== 0) exec[e.id] = `run -d failed: ${r.stderr.trim().split('\n').pop()}`
    }
    const probe = exec['docker-berth'] ? 0 : await httpStatus(berthd.sock, 'POST', '/containers/bench-exec/exec', { Cmd: ['true'] })
    if (exec['docker-berth']) exec['berth-cli'] = exec['docker-berth']
    else if (probe === 404 || probe === 501) {
      exec['berth-cli'] = exec['docker-berth'] = `berthd: POST /containers/{id}/exec → ${probe}`
    } else if (sh(join(binDir, 'berth'), ['exec', '--help']).status !== 0) exec['berth-cli'] = 'berth CLI has no exec yet'
    await phase(pick(2)) // its cells depend on the probe
    removeAll(all)
  }

  let population = 0
  if (want('ps-100')) {
    await populate(all, PS_POPULATION)
    population = PS_POPULATION
    await phase(pick(3))
  }
  if (want('ps-1000')) {
    await populate(all, PS_LARGE - population)
    population = PS_LARGE
    await phase(pick(4))
  }
  if (population) removeAll(all)

  await sleep(2000)
  const rssEnd = daemonRss()
  let scale = []
  if (want('start-100')) {
    const r = await concurrentPhase(daemons, rounds)
    measured.push(r.scenario)
    scale = r.rows
  }
  if (want('logs')) measured.push(await logsPhase(all, daemons, rounds))
  const ports = want('ports') || want('c2c') ? await portsPhase(daemons) : undefined
  if (want('network-lifecycle')) measured.push(await networkLifecyclePhase(daemons, rounds))
  return { list: measured, versions, scale, ports, rss: rssStart.map((r, i) => ({ kind: r.kind, name: r.name, start: r.mb, settled: rssSettled[i].mb, end: rssEnd[i].mb })) }
}

/** Removes every container, stops every daemon, puts the host back; returns the report's peer sections. */
async function cleanup() {
  if (berthd) {
    const ids = sh(DOCKER_CLI, ['ps', '-aq'], { DOCKER_HOST: host }).stdout.split('\n').filter(Boolean)
    if (ids.length) sh(DOCKER_CLI, ['rm', '-f', ...ids], { DOCKER_HOST: host })
  }
  const md = await tearDown({ berthd, peers, roots: [dataRoot, execRoot] })
  for (const mp of cgroupsMounted) {
    if (sh('umount', [mp]).status === 0) sh('rmdir', [mp])
  }
  return md
}

function report({ list, versions, rss, scale, ports }, peerSections) {
  const now = new Date()
  const only = opt('--only')
  let md = `# berth benchmark ${now.toISOString()}\n\n` +
    `Machine: ${sh('nproc', []).stdout.trim()} cores, ${sh('uname', ['-r']).stdout.trim()}; ${runs} runs per cell after one ` +
    `warm-up, interleaved (every round runs each scenario once per engine, engine order rotating).\n` +
    (only ? `Scenarios: only \`${only}\` (--only); the others were not measured in this run.\n` : '') +
    `berth ${sh('git', ['rev-parse', '--short', 'HEAD']).stdout.trim()} (work tree) on crun ${versions.crun} + conmon` +
    (withPeers ? `; Docker ${versions.dockerd} (containerd ${versions.containerd}, runc ${versions.runc}); ` +
      `Podman ${versions.podman} (crun ${versions.crun}, conmon ${versions.conmon}, CNI); docker CLI ${versions.dockerCli}.\n\n` : '.\n\n')
  if (list.length) md += timingTable(list, withPeers)
  md += `\nDaemon memory (VmRSS from /proc/<pid>/status, idle 2 s after the set-up's last request, idle 12 s after it (settled), and after the timed CLI scenarios):\n\n${rssTable(rss)}`
  if (ports && !want('ports')) md += `\nContainer to container (busybox wget in a client container on a user network):\n\n${portTable(ports.rows)}`
  else if (ports) {
    md += `\nPublished port (busybox httpd, \`-p 127.0.0.1:PORT:80\`) and the container's address, from the host: ab -c 1 (one request at a time, ` +
      `a new connection each), ${PORT_BATCHES} batches of ${PORT_REQUESTS} requests per path and engine, the two paths alternating and the ` +
      'engine order rotating batch by batch, each engine\'s pair of batches after waiting for a quiet machine and daemon ' +
      `(${ports.quiet.join('; ')}). req/s: median batch; p99: over all requests; published / direct: median of ` +
      'the per-batch ratios; ab CPU: user + sys per request, its own start-up included, beside the wall time per request (a client ' +
      `that used most of the wall time would be the bottleneck).\n\n${portTable(ports.rows)}${batchRatios(ports.rows, (r) => r)}`
    const wrk = wrkTable(ports.rows)
    if (wrk) {
      md += `\nThe same two paths with wrk -t1 -c1 (the tool issue 10 names; one request at a time, a new connection each, since busybox ` +
        `httpd closes every connection): ${PORT_WRK_BATCHES} batches of ${PORT_WRK_SECONDS} s per path and engine (each batch is the ` +
        'issue\'s "1000 sequential requests" scenario or longer), alternating and rotating as above after the ab batches. req/s: median ' +
        `batch; p50: median of the batches' medians (wrk --latency); published / direct: median of the per-batch ratios.\n\n${wrk}${batchRatios(ports.rows, (r) => r.wrk)}`
    }
  }
  if (scale.length) md += `\nWith ${SCALE} containers running (\`sleep\`, network none): memory per container and daemon CPU while idle:\n\n${scaleTable(scale)}`
  const goals = goalLines(Object.fromEntries(list.map((s) => [s.id, s])), rss, ports?.rows)
  if (withPeers && goals.length) md += `\nAgainst the goals of issue 10 (medians of this run):\n\n${goals.join('\n')}\n`
  md += `\n## Setup\n\n${setupNotes.map((n) => `- ${n}`).join('\n')}\n`
  md += peerSections
  const file = join(import.meta.dirname, 'results', `${now.toISOString().replace(/[:]/g, '-').slice(0, 16)}.md`)
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
  if (withPeers) {
    const png = file.replace(/\.md$/, '.png')
    const made = chart(list, png)
    md += made === true ? `\n![berth / Docker and berth / Podman median ratios](${png.split('/').pop()})\n` : `\n(no chart: ${made})\n`
  }
  writeFileSync(file, md)
  process.stdout.write(md + `\nwritten to ${file}\n`)
}

let result
let failure
try {
  result = await main()
} catch (e) {
  failure = e
  if (!interrupted()) {
    if (berthd) console.error(`bench: berthd log tail:\n${berthd.logTail()}`)
    if (withPeers) console.error(`bench: dockerd log tail:\n${dockerLogTail()}`)
  }
} finally {
  let md = ''
  try { md = await cleanup() } catch (e) { console.error(`bench: cleanup failed: ${e.stack}`) }
  if (failure) {
    console.error(`bench: ${failure.message}`)
    if (md) console.error(md)
    process.exitCode = 1
  } else report(result, md)
}
