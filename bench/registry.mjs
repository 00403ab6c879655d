// Registry benchmark (not a test): push and pull of a 200 MB, 5-layer image to a loopback registry
// (Debian's docker-registry, Distribution 2.8, or `--registry berth` for `berth registry serve`), a fresh
// empty registry per round. berth (the docker CLI against berthd) vs skopeo and, with --with-peers,
// Docker (dockerd from Debian's docker.io) and Podman, in the same run, interleaved round by round.
// Usage: node bench/registry.mjs [--runs N] [--mb-per-layer N] [--with-peers] [--registry distribution|berth]
// Writes bench/results/registry-<date>.md and prints it.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { sh, must, sleep, stats, interruptible } from './lib.mjs'
import { DOCKER_CLI, dockerEnv, peerVersions, peerSession, tearDown } from './peers.mjs'
import { binDir, startBerthd } from './berthd.mjs'

const args = process.argv.slice(2)
const opt = (name, d) => (args.includes(name) ? args[args.indexOf(name) + 1] : d)
const runs = Number(opt('--runs', 3)) || 3
const mbPerLayer = Number(opt('--mb-per-layer', 40)) || 40
const withPeers = args.includes('--with-peers')
const registryKind = opt('--registry', 'distribution')
const { checkpoint } = interruptible()
const layers = 5
const repo = resolve(import.meta.dirname, '..')
const berth = join(binDir, 'berth')
const work = mkdtempSync('/var/tmp/berth-bench-registry-')
const execRoot = mkdtempSync('/run/bbr-')
const procs = []

const time = (fn) => {
  const t0 = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t0) / 1e9
}
const freePort = () => new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => res(p))
  })
})
async function waitFor(check, what) {
  for (let i = 0; i < 300; i++) {
    if (check()) return
    await sleep(50)
  }
  throw new Error(`${what} did not start`)
}

/** A fresh, empty registry on loopback: every push uploads every layer. */
async function startRegistry(r) {
  const addr = `127.0.0.1:${await freePort()}`
  const root = join(work, `registry${r}`)
  mkdirSync(root)
  let p
  if (registryKind === 'berth') {
    p = spawn(berth, ['registry', 'serve', '--addr', addr, '--root', join(root, 'data')], { stdio: 'ignore' })
  } else {
    writeFileSync(join(root, 'config.yml'), [
      'version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true',
      'storage:', '  filesystem:', `    rootdirectory: ${join(root, 'data')}`,
      'http:', `  addr: ${addr}`, '  secret: berth-bench', '',
    ].join('\n'))
    p = spawn('docker-registry', ['serve', join(root, 'config.yml')], { stdio: 'ignore' })
  }
  procs.push(p)
  await waitFor(() => sh('curl', ['-sf', `http://${addr}/v2/`]).status === 0, 'registry')
  return {
    addr,
    stop: async () => {
      p.kill('SIGTERM')
      await Promise.race([new Promise((res) => p.once('exit', res)), sleep(3000)])
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** 5 layers of random (incompressible) data as a docker-archive made with tar, tagged bench/big:1. */
function makeArchive() {
  const img = join(work, 'img')
  mkdirSync(img)
  const diffIds = []
  const layerNames = []
  for (let i = 0; i < layers; i++) {
    const dir = join(work, `l${i}`)
    mkdirSync(dir)
    writeFileSync(join(dir, `data${i}.bin`), randomBytes(mbPerLayer * 1024 * 1024))
    must('tar', ['-C', dir, '-cf', join(img, `layer${i}.tar`), '.'])
    diffIds.push(`sha256:${must('sha256sum', [join(img, `layer${i}.tar`)]).split(' ')[0]}`)
    layerNames.push(`layer${i}.tar`)
    rmSync(dir, { recursive: true })
  }
  const created = '2026-01-01T00:00:00Z'
  writeFileSync(join(img, 'config.json'), JSON.stringify({ architecture: 'amd64', os: 'linux', created, config: { Cmd: ['/data0.bin'] }, rootfs: { type: 'layers', diff_ids: diffIds } }))
  writeFileSync(join(img, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['bench/big:1'], Layers: layerNames }]))
  const archive = join(work, 'big.tar')
  must('tar', ['-C', img, '-cf', archive, '.'])
  rmSync(img, { recursive: true })
  return archive
}

/**
 * An engine that stores images (berth, Docker, Podman): push = tag + push, pull = remove every tag of
 * the image (so its layers go) then pull, then tag it back as bench/big:1 for the next round.
 */
function engine(name, cli) {
  return {
    name,
    push: (addr, r) => {
      const ref = `${addr}/${name.split(' ')[0].toLowerCase()}/big:${r}`
      must(...cli(['tag', 'bench/big:1', ref]))
      return { ref, s: time(() => must(...cli(['push', ref]))) }
    },
    pull: (ref) => {
      must(...cli(['rmi', ref, 'bench/big:1']))
      const s = time(() => must(...cli(['pull', ref])))
      must(...cli(['tag', ref, 'bench/big:1']))
      must(...cli(['rmi', ref]))
      return s
    },
  }
}

const notes = []
const peers = withPeers ? peerSession({ install: true }) : undefined
let berthd
let text
try {
  if (peers) await peers.start() // before berthd, so the host record does not hold berthd's bridge
  berthd = await startBerthd({ dataRoot: join(work, 'data'), execRoot, logFile: join(work, 'berthd.log'), args: ['--loopback-registries-only'],
    net: { prefix: 'bbreg', bip: '172.27.0.1/24', pool: '172.27.128.0/17' } })
  const archive = makeArchive()
  const mb = (layers * mbPerLayer * 1024 * 1024) / 1e6

  const berthCli = (a) => [DOCKER_CLI, a, { DOCKER_HOST: berthd.host }]
  must(...berthCli(['load', '-i', archive]))
  const engines = [engine('berth', berthCli)]
  if (peers) {
    const versions = peerVersions()
    const dockerCli = (a) => [DOCKER_CLI, a, dockerEnv]
    must(...dockerCli(['load', '-i', archive]))
    engines.push(engine(`Docker ${versions.dockerd}`, dockerCli))
    const podmanCli = (a) => ['podman', [...peers.podman.args, ...a, ...(a[0] === 'push' || a[0] === 'pull' ? ['--tls-verify=false'] : [])], peers.podman.env]
    must(...podmanCli(['load', '-i', archive]))
    engines.push(engine(`Podman ${versions.podman}`, podmanCli))
    notes.push(`dockerd ${versions.dockerd} on its own socket and roots (bench/peers.mjs), overlay2; 127.0.0.0/8 is an insecure registry by default`)
    notes.push(`podman ${versions.podman} with private --root/--runroot (bench/peers.mjs), push/pull --tls-verify=false`)
  }
  const skopeo = {
    name: 'skopeo',
    push: (addr, r) => {
      const ref = `${addr}/skopeo/big:${r}`
      return { ref, s: time(() => must('skopeo', ['--insecure-policy', 'copy', '-q', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${ref}`])) }
    },
    pull: (ref) => {
      const out = join(work, 'oci')
      const s = time(() => must('skopeo', ['--insecure-policy', 'copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${out}:big`]))
      rmSync(out, { recursive: true, force: true })
      return s
    },
  }
  engines.push(skopeo)

  const rows = new Map(engines.flatMap((e) => [[`${e.name} push`, []], [`${e.name} pull`, []]]))
  for (let r = 0; r < runs; r++) {
    // Rotate the order each round so no engine always goes first. Each engine gets its own empty
    // registry: skopeo and Podman share a blob-info cache and would otherwise mount each other's layers.
    const order = engines.map((_, i) => engines[(i + r) % engines.length])
    for (const e of order) {
      const registry = await startRegistry(`${r}-${rows.size}-${e.name.split(' ')[0]}`)
      const pushed = e.push(registry.addr, r)
      rows.get(`${e.name} push`).push(pushed.s)
      rows.get(`${e.name} pull`).push(e.pull(pushed.ref))
      await registry.stop()
      await checkpoint()
    }
  }

  const regName = registryKind === 'berth' ? '`berth registry serve`' : "Debian's docker-registry (Distribution 2.8)"
  const lines = [
    `# Registry push/pull, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${layers} layers x ${mbPerLayer} MiB of random data (${mb.toFixed(0)} MB), ${regName} on loopback, a fresh empty registry per engine and round,`,
    `${runs} rounds, engines interleaved (order rotated each round). MB/s from the median.`,
    '',
    '- berth = the real docker CLI against berthd. Push gzips (level 3) each local layer once and keeps the blob, so only',
    '  the first push pays the compression; pull = download, verify, gunzip and unpack in one pass per layer, 3 layers at a time.',
    '- Docker and Podman compress on every push (they keep no compressed blobs); their pull also unpacks.',
    '- skopeo pushes from a docker-archive (compressing every time) and pulls into an OCI layout without unpacking.',
    ...notes.map((n) => `- ${n}`),
    '',
    '| operation | min s | median s | MB/s | all rounds (s) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...[...rows].map(([k, xs]) => {
      const s = stats(xs)
      return `| ${k} | ${s.min.toFixed(2)} | ${s.median.toFixed(2)} | ${(mb / s.median).toFixed(1)} | ${xs.map((x) => x.toFixed(2)).join(', ')} |`
    }),
    '',
  ]
  if (!withPeers) lines.push('Docker and Podman not measured (run with --with-peers).', '')
  text = lines.join('\n')
} finally {
  for (const p of procs.reverse()) {
    p.kill('SIGTERM')
    await Promise.race([new Promise((r) => p.once('exit', r)), sleep(3000)])
    if (p.exitCode === null) p.kill('SIGKILL')
  }
  const cleanup = await tearDown({ berthd, peers, roots: [work, execRoot] })
  if (text) text += cleanup
  else process.stderr.write(cleanup)
}
mkdirSync(join(repo, 'bench/results'), { recursive: true })
writeFileSync(join(repo, 'bench/results', `registry-${new Date().toISOString().slice(0, 16).replace(':', '-')}.md`), text)
process.stdout.write(text)
