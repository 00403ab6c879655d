// Build benchmark: a 10-step Dockerfile with a 50 MB context, built cold (--no-cache) and fully
// cached, by berth (its CLI and the docker CLI's legacy builder against berthd) and, with
// --with-peers, by Docker with both its builders (the legacy builder through the docker CLI 28, and
// BuildKit through Debian's docker.io CLI 20.10 at /usr/bin/docker, which still has BuildKit built in:
// CLI 28 needs the buildx plugin for it, and Debian 12 has no buildx) and by Podman (buildah),
// interleaved round by round in the same run.
// Writes bench/results/build-<date>.md and prints it. Usage: node bench/build.mjs [--runs N] [--with-peers]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { must, sh, stats, timeOnce, busyboxRootfs, interruptible } from './lib.mjs'
import { DOCKER_CLI, DOCKER_BUILDKIT_CLI, dockerEnv, peerSession, tearDown } from './peers.mjs'
import { binDir, startBerthd } from './berthd.mjs'

const args = process.argv.slice(2)
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5) || 5
const withPeers = args.includes('--with-peers')
const { checkpoint } = interruptible()

const dataRoot = mkdtempSync('/var/tmp/berth-buildbench-')
const execRoot = mkdtempSync('/run/bbb-')
const ctx = join(dataRoot, 'context')
const berthCli = join(binDir, 'berth')

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

const engines = []
const results = new Map()
const record = (name, phase, ms) => {
  const key = `${name}|${phase}`
  results.set(key, [...(results.get(key) ?? []), ms])
}

let berthd
let text
const peers = withPeers ? peerSession({ install: true }) : undefined
try {
  makeContext()
  const { tar } = busyboxRootfs(dataRoot)
  if (peers) await peers.start() // before berthd, so the host record does not hold berthd's bridge
  berthd = await startBerthd({ dataRoot: join(dataRoot, 'berth'), execRoot, logFile: join(dataRoot, 'berthd.log'), net: { prefix: 'bbuild', bip: '172.28.0.1/24', pool: '172.28.128.0/17' } })
  const host = berthd.host
  must(berthCli, ['-H', host, 'import', tar, 'bench-busybox'])
  engines.push({ name: 'berth (berth CLI)', build: (cache) => () => sh(berthCli, ['-H', host, 'build', '--progress', 'plain', '-q', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx]) })
  engines.push({ name: 'berth (docker CLI, legacy builder)', build: (cache) => () => sh(DOCKER_CLI, ['build', '-q', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx], { DOCKER_HOST: host, DOCKER_BUILDKIT: '0' }) })
  if (peers) {
    must(DOCKER_CLI, ['import', tar, 'bench-busybox'], dockerEnv)
    engines.push({ name: 'Docker (dockerd, legacy builder)', build: (cache) => () => sh(DOCKER_CLI, ['build', '-q', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx], { ...dockerEnv, DOCKER_BUILDKIT: '0' }) })
    engines.push({ name: 'Docker (dockerd, BuildKit)', build: (cache) => () => sh(DOCKER_BUILDKIT_CLI, ['build', '-q', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app-bk', ctx], { ...dockerEnv, DOCKER_BUILDKIT: '1' }) })
    if (peers.pm(['import', tar, 'bench-busybox']).status !== 0) throw new Error('podman import failed')
    engines.push({ name: 'Podman (buildah)', build: (cache) => () => peers.pm(['build', '-q', '--network', 'none', ...(cache ? [] : ['--no-cache']), '-t', 'bench-app', ctx]) })
  }
  for (const e of engines) { timeOnce(e.build(false)); await checkpoint() } // warm-up, fills the cache
  for (let r = 0; r < runs; r++) {
    for (const e of engines) { record(e.name, 'cold', timeOnce(e.build(false)).ms); await checkpoint() }
    for (const e of engines) { record(e.name, 'cached', timeOnce(e.build(true)).ms); await checkpoint() }
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
  text = lines.join('\n') + '\n'
} finally {
  const cleanup = await tearDown({ berthd, peers, roots: [dataRoot, execRoot] })
  if (text) text += cleanup
  else process.stderr.write(cleanup)
}
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
writeFileSync(join(import.meta.dirname, 'results', `build-${new Date().toISOString().slice(0, 16).replace(':', '-')}.md`), text)
process.stdout.write(text)
