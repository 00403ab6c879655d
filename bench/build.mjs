// Build benchmark: a 10-step Dockerfile with a 50 MB context, built cold (--no-cache) and fully
// cached, by berth (its CLI and the docker CLI's legacy builder against berthd) and, with
// --with-peers, by Docker (dockerd, legacy builder: BuildKit needs the buildx plugin, which is not
// installable here) and Podman (buildah), interleaved round by round in the same run.
// Writes bench/results/build-<date>.md and prints it. Usage: node bench/build.mjs [--runs N] [--with-peers]
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, existsSync, closeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { must, sh, sleep, stats, timeOnce, umountUnder } from './lib.mjs'
import { snapshotHost, restoreHost, leftovers } from './host-state.mjs'
import { DOCKER_CLI, PODMAN, DOCKER, dockerEnv, preparePodman, removePeerRoots, startDocker, stopDocker, stopPodman } from './peers.mjs'

const args = process.argv.slice(2)
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5) || 5
const withPeers = args.includes('--with-peers')

const dataRoot = mkdtempSync('/var/tmp/berth-buildbench-')
const execRoot = mkdtempSync('/run/bbb-')
const host = `unix://${join(execRoot, 'berth.sock')}`
const ctx = join(dataRoot, 'context')

function makeContext() {
  mkdirSync(join(ctx, 'data'), { recursive: true })
  for (let i = 0; i < 50; i++) writeFileSync(join(ctx, 'data', `blob-${i}.bin`), randomBytes(1 << 20))
  writeFileSync(join(ctx, 'app.sh'), '#!/bin/sh\necho app\n', { mode: 0o755 })
  writeFileSync(join(ctx, 'Dockerfile'), [
    'FROM bench-busybox',
    'ENV APP_HOME=/app',
    'RUN mkdir -p /app/logs && echo ready > /app/status',
    'COPY data /app/data',
    'RUN du -s /app/data > /app/size',
    'WORKDIR /app',
    'COPY app.sh /app/app.sh',
    'RUN sha256sum /app/data/blob-0.bin > /app/sum',
    'LABEL bench=build',
    'CMD ["/app/app.sh"]',
    '',
  ].join('\n'))
}

function rootfsTar() {
  const rootfs = join(dataRoot, 'rootfs')
  mkdirSync(join(rootfs, 'bin'), { recursive: true })
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'))
  for (const a of must('/bin/busybox', ['--list']).split('\n').filter((x) => x && x !== 'busybox')) symlinkSync('busybox', join(rootfs, 'bin', a))
  const tar = join(dataRoot, 'busybox.tar')
  must('tar', ['-C', rootfs, '-cf', tar, '.'])
  return tar
}

async function startBerthd() {
  const log = openSync(join(dataRoot, 'berthd.log'), 'a')
  const child = spawn('bin/berthd', ['-H', host, '--data-root', join(dataRoot, 'berth'), '--exec-root', execRoot], { stdio: ['ignore', log, log], detached: true })
  closeSync(log)
  child.unref()
  for (let i = 0; i < 100; i++) {
    if (sh('bin/berth', ['-H', host, 'version']).status === 0) return child
    await sleep(100)
  }
  throw new Error('berthd did not start')
}

const engines = []
const results = new Map()
const record = (name, phase, ms) => {
  const key = `${name}|${phase}`
  results.set(key, [...(results.get(key) ?? []), ms])
}

let berthd
let dockerPid
let pm
let hostBefore
try {
  makeContext()
  const tar = rootfsTar()
  berthd = await startBerthd()
  must('bin/berth', ['-H', host, 'import', tar, 'bench-busybox'])
  engines.push({ name: 'berth (berth CLI)', build: (cache) => () => sh('bin/berth', ['-H', host, 'build', '--progress', 'plain', '-q', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx]) })
  engines.push({ name: 'berth (docker CLI, legacy builder)', build: (cache) => () => sh(DOCKER_CLI, ['build', '-q', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx], { DOCKER_HOST: host, DOCKER_BUILDKIT: '0' }) })
  if (withPeers) {
    // What dockerd and podman change on the host (docker0, iptables chains...) is put back afterwards.
    hostBefore = snapshotHost()
    dockerPid = await startDocker()
    must(DOCKER_CLI, ['import', tar, 'bench-busybox'], dockerEnv)
    engines.push({ name: 'Docker (dockerd, legacy builder)', build: (cache) => () => sh(DOCKER_CLI, ['build', '-q', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx], { ...dockerEnv, DOCKER_BUILDKIT: '0' }) })
    const prepared = preparePodman()
    pm = (a) => sh('podman', [...prepared.args, ...a], prepared.env)
    if (pm(['import', tar, 'bench-busybox']).status !== 0) throw new Error('podman import failed')
    engines.push({ name: 'Podman (buildah)', build: (cache) => () => pm(['build', '-q', '--network', 'none', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx]) })
  }
  for (const e of engines) timeOnce(e.build(false)) // warm-up, fills the cache
  for (let r = 0; r < runs; r++) {
    for (const e of engines) record(e.name, 'cold', timeOnce(e.build(false)).ms)
    for (const e of engines) record(e.name, 'cached', timeOnce(e.build(true)).ms)
  }
  const lines = [
    `# Build benchmark ${new Date().toISOString()}`,
    '',
    `10-step Dockerfile (3 RUN, 2 COPY, 1 WORKDIR, 4 metadata), 50 MB context (50 x 1 MB random files), ${runs} runs per cell, interleaved.`,
    'Cold = --no-cache; cached = nothing changed. Times in ms (min / median / p95).',
    '',
    '| engine | cold | cached |',
    '| --- | --- | --- |',
  ]
  const fmt = (xs) => {
    const s = stats(xs)
    return `${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.p95.toFixed(0)}`
  }
  for (const e of engines) lines.push(`| ${e.name} | ${fmt(results.get(`${e.name}|cold`))} | ${fmt(results.get(`${e.name}|cached`))} |`)
  if (!withPeers) lines.push('', 'Peers not measured (run with --with-peers).')
  const text = lines.join('\n') + '\n'
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(join('bench/results', `build-${new Date().toISOString().slice(0, 16).replace(':', '-')}.md`), text)
  process.stdout.write(text)
} finally {
  if (berthd) {
    try { process.kill(berthd.pid, 'SIGTERM') } catch { /* gone */ }
    await sleep(500)
  }
  if (pm) {
    pm(['rmi', '-af'])
    await stopPodman(pm)
  }
  if (dockerPid) await stopDocker()
  if (withPeers) removePeerRoots()
  if (hostBefore) {
    for (const line of restoreHost(hostBefore)) process.stderr.write(`bench: ${line}\n`)
    for (const line of leftovers(hostBefore, [dataRoot, execRoot, DOCKER.dataRoot, DOCKER.execRoot, PODMAN.dir])) process.stderr.write(`bench: left over: ${line}\n`)
  }
  umountUnder([dataRoot, execRoot])
  rmSync(dataRoot, { recursive: true, force: true })
  if (existsSync(execRoot)) rmSync(execRoot, { recursive: true, force: true })
}
