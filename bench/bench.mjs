// Side-by-side benchmark: berth (through its own CLI and through the real docker CLI 28), raw `crun run`
// and, with --with-peers, Docker (dockerd + containerd + runc) and Podman (conmon + crun), all driven in
// the same run and interleaved round by round so the machine's noise hits every engine alike.
// Writes bench/results/<date>.md and prints it. Usage: node bench/bench.mjs [--runs N] [--with-peers]
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, symlinkSync, rmSync, readFileSync, existsSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { sh, must, timeOnce, sleep, yieldToLoop, vmRssKb, alive, httpStatus, umountUnder, processes } from './lib.mjs'
import { snapshotHost, saveSnapshot, loadSnapshot, restoreHost, leftovers, mountMissingCgroupControllers, PEER_LINKS } from './host-state.mjs'
import {
  DOCKER, DOCKER_CLI, PODMAN, PEER_ROOTS, dockerEnv, installPeers, peerVersions, startDocker, stopDocker, containerdPid,
  dockerLogTail, preparePodman, stopPodman, removePeerRoots,
} from './peers.mjs'
import { timingTable, rssTable, goalLines, scaleTable, portTable } from './report.mjs'
import { concurrentStart, monitorRssKb, cpuPercent, makeBigLog, timeLogs, portThroughput, networkLifecycle, containerToContainerRps } from './scale.mjs'
import { chart } from './chart.mjs'

const args = process.argv.slice(2)
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const runs = Number(opt('--runs')) || 10
const withPeers = args.includes('--with-peers')
const onlyNetwork = opt('--only') === 'network'
const PS_POPULATION = 100
const PS_LARGE = 1000
const SCALE = 100
const LOG_MB = 100

// Ctrl-C, SIGTERM and SIGHUP end the measurements at the next step; cleanup always runs.
let interrupted
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { interrupted ??= sig })
const checkpoint = async () => {
  await yieldToLoop()
  if (interrupted) throw new Error(`interrupted by ${interrupted}`)
}

const setupNotes = []   // what the bench did to the host and to the peers, for the report
const cleanupNotes = []
let hostBefore
const snapshotFile = join(DOCKER.runDir, 'host-before.json')

// berth's private daemon (temporary roots, as the tests use).
const dataRoot = mkdtempSync('/var/tmp/berth-bench-')
const execRoot = mkdtempSync('/run/bb-')
const sock = join(execRoot, 'berth.sock')
const host = `unix://${sock}`
let berthd
let dockerdPid
let podman

function makeRootfsTar() {
  const rootfs = join(dataRoot, 'rootfs')
  mkdirSync(join(rootfs, 'bin'), { recursive: true })
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'))
  for (const a of must('/bin/busybox', ['--list']).split('\n').filter((x) => x && x !== 'busybox')) symlinkSync('busybox', join(rootfs, 'bin', a))
  const tar = join(dataRoot, 'busybox-rootfs.tar')
  must('tar', ['-C', rootfs, '-cf', tar, '.'])
  return { rootfs, tar }
}

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

/** Refuses to run beside a live bench; clears what a killed one left; refuses a host Docker/Podman network. */
async function preparePeerHost() {
  const pid = existsSync(DOCKER.pidfile) ? Number(readFileSync(DOCKER.pidfile, 'utf8').trim()) : 0
  if (pid && alive(pid)) throw new Error(`dockerd ${pid} from another bench run is using ${DOCKER.runDir}`)
  if (PEER_ROOTS.some(existsSync)) {
    const before = existsSync(snapshotFile) ? loadSnapshot(snapshotFile) : snapshotHost()
    await stopDocker()
    removeAllPodman()
    cleanupNotes.push(...restoreHost(before).map((l) => `(previous run) ${l}`))
    removePeerRoots()
    setupNotes.push('cleared what an interrupted earlier run had left under the private roots')
  }
  const have = snapshotHost().links.filter((l) => PEER_LINKS.includes(l))
  if (have.length) throw new Error(`${have.join(', ')} already exist (a Docker or Podman outside the bench?); --with-peers would delete them afterwards`)
}

function removeAllPodman() {
  if (existsSync(join(PODMAN.dir, 'containers.conf'))) {
    const p = preparePodman()
    sh('podman', [...p.args, 'rm', '-af', '-t', '0'], p.env)
  }
}

/** Every engine: id, kind ('berth' | 'docker' | 'podman' | 'ref'), display name, cli(argv) → spawnSync result. */
function engines(versions) {
  const list = [
    { id: 'berth-cli', kind: 'berth', name: 'berth CLI → berthd', cmd: (a) => ['bin/berth', ['-H', host, ...a], {}] },
    { id: 'docker-berth', kind: 'berth', name: `docker CLI ${versions.dockerCli} → berthd`, cmd: (a) => [DOCKER_CLI, a, { DOCKER_HOST: host }] },
  ]
  if (withPeers) {
    list.push({ id: 'docker', kind: 'docker', name: `Docker ${versions.dockerd} (docker CLI ${versions.dockerCli})`, cmd: (a) => [DOCKER_CLI, a, dockerEnv] })
    list.push({ id: 'podman', kind: 'podman', name: `Podman ${versions.podman}`, cmd: (a) => ['podman', [...podman.args, ...a], podman.env] })
  }
  // cmd(argv) → [command, argv, env] for async runs; cli(argv) runs it synchronously.
  return list.map((e) => ({ ...e, cli: (a) => sh(...e.cmd(a)) }))
}

let seq = 0
/** Scenario cells: { engine, run() → spawnSync result, after?(stdout) } or { engine, na: reason }. */
function scenarios(all, bundle, crunRoot, exec) {
  const crun = { id: 'crun', kind: 'ref', name: 'crun run (prepared bundle, reference)' }
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
    { id: 'ps-1000', phase: 4, title: `\`ps -a\`, ${PS_LARGE} created containers`, cells: each((e) => ({ run: () => e.cli(['ps', '-a']) })) },
    // The daemon's own share of `ps -a`: the same request without a CLI decoding and printing it.
    { id: 'ps-1000-http', phase: 4, title: `\`GET /containers/json?all=1\` with curl on the socket, ${PS_LARGE} containers`, cells: each((e) => {
      if (e.id === 'berth-cli') return { na: 'the same daemon as the docker CLI → berthd row' }
      if (e.kind === 'podman') return { na: 'daemonless (no API socket)' }
      return { run: () => sh('curl', ['-sf', '-o', '/dev/null', '--unix-socket', e.kind === 'docker' ? DOCKER.sock : sock, 'http://localhost/containers/json?all=1']) }
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
        const status = await httpStatus(e.id === 'docker' ? DOCKER.sock : sock, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] })
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
    const c = containerdPid(dockerdPid)
    const d = vmRssKb(dockerdPid)
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
  if (kind === 'docker') return [dockerdPid, containerdPid(dockerdPid)].filter(Boolean)
  return []
}

const MONITORS = {
  berth: { comm: /^conmon$/, roots: () => [execRoot] },
  docker: { comm: /^containerd-shim/, roots: () => [DOCKER.execRoot, DOCKER.runDir, 'moby'] },
  podman: { comm: /^conmon$/, roots: () => [PODMAN.runDir, PODMAN.dir] },
}

/**
 * 100 concurrent starts (a few rounds), then with the last round's containers running: monitor RSS per
 * container, daemon RSS growth, daemon CPU over 10 s; then the 100 MB log. berth-cli shares berthd with
 * docker-berth, so daemon-side figures are taken once for berth.
 */
async function scalePhase(all, { networkOnly = false } = {}) {
  const engines = all.filter((e) => e.id !== 'berth-cli')
  const rounds = Math.min(runs, 3)
  const rows = []
  const scenarioList = []
  if (!networkOnly) {
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
  scenarioList.push(start, logs)
  }
  // Published-port throughput: 1000 sequential requests through 127.0.0.1:port and to the container's address.
  const ports = []
  for (const [i, e] of engines.entries()) {
    try {
      const r = await portThroughput(e, 18181 + i, 1000)
      let c2c
      try { c2c = await containerToContainerRps(e, 500) } catch (err) { c2c = undefined; ports.push({ name: `${e.name} (container to container)`, error: err.message }) }
      ports.push({ name: e.name, ...r, c2c })
    } catch (err) {
      ports.push({ name: e.name, error: err.message })
    }
    await checkpoint()
  }
  // network create + run --network + network rm, timed as one user sequence.
  const netLife = { id: 'network-lifecycle', title: '`network create` + `run --rm --network` + `network rm`', cells: engines.map((engine) => ({ engine, samples: [] })) }
  for (let i = 0; i < rounds; i++) {
    for (const cell of netLife.cells) {
      if (cell.error) continue
      try { cell.samples.push(await networkLifecycle(cell.engine, `bench-net-${i}`)) } catch (err) { cell.error = err.message }
      await checkpoint()
    }
  }
  return { scenarios: [...scenarioList, netLife], rows, ports }
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
  if (withPeers) {
    setupNotes.push(...installPeers())
    versions = peerVersions()
    await preparePeerHost()
    hostBefore = snapshotHost()
    peersOwned = true // from here on cleanup stops and removes the peers, whatever happens
  }
  const log = openSync(join(dataRoot, 'berthd.log'), 'a')
  // Its own bridge, nftables table and addresses (a /16: created containers hold an address), so that
  // another berthd on the host with the default ones (berth0, "berth") cannot disturb it.
  berthd = spawn('bin/berthd', ['-H', host, '--data-root', dataRoot, '--exec-root', execRoot, '--net-prefix', 'bbench', '--bridge-name', 'bbench0',
    '--bip', '172.30.0.1/16', '--default-address-pool', 'base=172.29.0.0/16,size=24'], { stdio: ['ignore', log, log], detached: true })
  if (withPeers) {
    mkdirSync(DOCKER.runDir, { recursive: true })
    saveSnapshot(snapshotFile, hostBefore)
    dockerdPid = await startDocker()
    setupNotes.push(`dockerd: -H unix://${DOCKER.sock} --data-root ${DOCKER.dataRoot} --exec-root ${DOCKER.execRoot} --pidfile ${DOCKER.pidfile}, an empty --config-file, its own containerd; default bridge and iptables kept so the default-network start is measured (docker0, DOCKER chains, FORWARD policy and ip_forward are put back afterwards)`)
    setupNotes.push('dockerd: no workaround was needed (runc 1.1 runs containers without CAP_SYS_RESOURCE here)')
    podman = preparePodman()
    setupNotes.push(...podman.notes.map((n) => `podman: ${n}`))
  }
  for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(100)
  await sleep(300)

  const { rootfs, tar } = makeRootfsTar()
  must('bin/berth', ['-H', host, 'import', tar, 'busybox:latest'])
  if (withPeers) {
    must(DOCKER_CLI, ['import', tar, 'busybox:latest'], dockerEnv)
    must('podman', [...podman.args, 'import', tar, 'busybox:latest'], podman.env)
  }
  setupNotes.push(`one busybox rootfs tar (/bin/busybox + ${must('/bin/busybox', ['--list']).split('\n').filter(Boolean).length - 1} applet symlinks) imported as busybox:latest into ${withPeers ? 'berth, Docker and Podman' : 'berth'}`)
  const bundle = prepareBundle(rootfs)
  const all = engines(versions)

  await sleep(2000)
  const rssStart = daemonRss()

  // exec needs a running container; berth may not serve exec yet (then n/a, not a failure).
  const exec = {}
  const crunRoot = join(execRoot, 'bench-crun')
  const list = scenarios(all, bundle, crunRoot, exec)
  if (onlyNetwork) {
    // --only network: published ports, container to container and the network lifecycle, nothing else.
    const net = await scalePhase(all, { networkOnly: true })
    return { list: net.scenarios, versions, scale: [], ports: net.ports, rss: rssStart.map((r) => ({ kind: r.kind, name: r.name, start: r.mb, end: undefined })) }
  }
  await runPhase(list.filter((s) => s.phase === 1))

  for (const e of all) {
    if (e.id === 'berth-cli') continue
    const r = e.cli(['run', '-d', '--network', 'none', '--name', 'bench-exec', 'busybox', 'sleep', '1000000'])
    if (r.status !== 0) exec[e.id] = `run -d failed: ${r.stderr.trim().split('\n').pop()}`
  }
  const probe = exec['docker-berth'] ? 0 : await httpStatus(sock, 'POST', '/containers/bench-exec/exec', { Cmd: ['true'] })
  if (exec['docker-berth']) exec['berth-cli'] = exec['docker-berth']
  else if (probe === 404 || probe === 501) {
    exec['berth-cli'] = exec['docker-berth'] = `berthd: POST /containers/{id}/exec → ${probe}`
  } else if (sh('bin/berth', ['exec', '--help']).status !== 0) exec['berth-cli'] = 'berth CLI has no exec yet'
  const execIndex = list.findIndex((s) => s.id === 'exec')
  list[execIndex] = scenarios(all, bundle, crunRoot, exec)[execIndex] // its cells depend on the probe
  await runPhase(list.filter((s) => s.phase === 2))
  removeAll(all)

  await populate(all, PS_POPULATION)
  await runPhase(list.filter((s) => s.phase === 3))
  await populate(all, PS_LARGE - PS_POPULATION)
  await runPhase(list.filter((s) => s.phase === 4))
  removeAll(all)

  await sleep(2000)
  const rssEnd = daemonRss()
  const scale = await scalePhase(all)
  list.push(...scale.scenarios)
  return { list, versions, scale: scale.rows, ports: scale.ports, rss: rssStart.map((r, i) => ({ kind: r.kind, name: r.name, start: r.mb, end: rssEnd[i].mb })) }
}

let peersOwned = false // true once this run may start and therefore must remove the peers

/** Removes every container, stops every daemon, puts the host back; returns leftover lines. */
async function cleanup() {
  if (berthd) {
    const ids = sh(DOCKER_CLI, ['ps', '-aq'], { DOCKER_HOST: host }).stdout.split('\n').filter(Boolean)
    if (ids.length) sh(DOCKER_CLI, ['rm', '-f', ...ids], { DOCKER_HOST: host })
    try { process.kill(berthd.pid, 'SIGTERM') } catch { /* gone */ }
    for (let i = 0; i < 50 && alive(berthd.pid); i++) await sleep(100)
    // berthd keeps its bridge and firewall table when it stops (as dockerd keeps docker0).
    sh('ip', ['link', 'del', 'bbench0'])
    for (const family of ['ip', 'ip6']) sh('nft', ['delete', 'table', family, 'bbench'])
  }
  if (peersOwned) {
    if (dockerdPid && alive(dockerdPid)) {
      const ids = sh(DOCKER_CLI, ['ps', '-aq'], dockerEnv).stdout.split('\n').filter(Boolean)
      if (ids.length) sh(DOCKER_CLI, ['rm', '-f', ...ids], dockerEnv)
    }
    if (podman) cleanupNotes.push(...await stopPodman((a) => sh('podman', [...podman.args, ...a], podman.env)))
    cleanupNotes.push(...await stopDocker())
    umountUnder(PEER_ROOTS)
    cleanupNotes.push(...restoreHost(hostBefore))
    removePeerRoots()
  }
  umountUnder([dataRoot, execRoot])
  rmSync(dataRoot, { recursive: true, force: true })
  rmSync(execRoot, { recursive: true, force: true })
  for (const mp of cgroupsMounted) {
    if (sh('umount', [mp]).status === 0) { sh('rmdir', [mp]); cleanupNotes.push(`unmounted ${mp}`) }
  }
  if (!peersOwned) return []
  const roots = [...PEER_ROOTS, dataRoot, execRoot]
  return leftovers(hostBefore, roots)
}

function report({ list, versions, rss, scale, ports }, left) {
  const now = new Date()
  let md = `# berth benchmark ${now.toISOString()}\n\n` +
    `Machine: ${sh('nproc', []).stdout.trim()} cores, ${sh('uname', ['-r']).stdout.trim()}; ${runs} runs per cell after one ` +
    `warm-up, interleaved (every round runs each scenario once per engine, engine order rotating).\n` +
    `berth ${sh('git', ['rev-parse', '--short', 'HEAD']).stdout.trim()} (work tree) on crun ${versions.crun} + conmon` +
    (withPeers ? `; Docker ${versions.dockerd} (containerd ${versions.containerd}, runc ${versions.runc}); ` +
      `Podman ${versions.podman} (crun ${versions.crun}, conmon ${versions.conmon}, CNI); docker CLI ${versions.dockerCli}.\n\n` : '.\n\n')
  md += timingTable(list, withPeers)
  md += `\nDaemon memory (VmRSS from /proc/<pid>/status, idle 2 s after start and after the run):\n\n${rssTable(rss)}`
  md += `\nPublished port (busybox httpd, \`-p 127.0.0.1:PORT:80\`), 1000 sequential HTTP requests, a new connection each:\n\n${portTable(ports)}`
  md += `\nWith ${SCALE} containers running (\`sleep\`, network none): memory per container and daemon CPU while idle:\n\n${scaleTable(scale)}`
  const goals = goalLines(Object.fromEntries(list.map((s) => [s.id, s])), rss)
  if (withPeers && goals.length) md += `\nAgainst the goals of issue 10 (medians of this run):\n\n${goals.join('\n')}\n`
  md += `\n## Setup applied${withPeers ? ' to peers' : ''}\n\n${setupNotes.map((n) => `- ${n}`).join('\n')}\n`
  if (withPeers) {
    md += `\n## Cleanup\n\n${cleanupNotes.map((n) => `- ${n}`).join('\n')}\n` +
      `- host check after cleanup (links, netns, nftables tables, iptables rules, mounts, paths, processes from the bench roots): ` +
      `${left.length ? `LEFTOVERS:\n${left.map((l) => `  - ${l}`).join('\n')}` : 'as before'}\n`
  }
  const file = `bench/results/${now.toISOString().replace(/[:]/g, '-').slice(0, 16)}.md`
  mkdirSync('bench/results', { recursive: true })
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
  const tail = (f) => { try { return readFileSync(f, 'utf8').split('\n').slice(-12).join('\n') } catch { return '' } }
  if (!interrupted) {
    console.error(`bench: berthd log tail:\n${tail(join(dataRoot, 'berthd.log'))}`)
    if (withPeers) console.error(`bench: dockerd log tail:\n${dockerLogTail()}`)
  }
} finally {
  let left = []
  try { left = await cleanup() } catch (e) { console.error(`bench: cleanup failed: ${e.stack}`) }
  if (failure) {
    console.error(`bench: ${failure.message}`)
    if (peersOwned) console.error(left.length ? `bench: left on the host:\n${left.join('\n')}` : 'bench: cleaned up; the host is as before')
    process.exitCode = 1
  } else report(result, left)
}
