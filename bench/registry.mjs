// Registry benchmark (not a test): push and pull of a 200 MB, 5-layer image to `berth registry serve`
// on loopback, berth (through the docker CLI against berthd) vs skopeo, in the same run, interleaved.
// Docker's own daemon is not measured here (bench.mjs --with-peers installs it for the start benchmark).
// Usage: node bench/registry.mjs [--runs N] [--mb-per-layer N]. Writes bench/results/registry-<date>.md.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'

const args = process.argv.slice(2)
const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d)
const runs = opt('--runs', 3)
const mbPerLayer = opt('--mb-per-layer', 40)
const layers = 5
const repo = resolve(import.meta.dirname, '..')
const berth = join(repo, 'bin/berth')
const work = mkdtempSync('/var/tmp/berth-bench-registry-')
const execRoot = mkdtempSync('/run/bbr-')
const host = `unix://${join(execRoot, 'berth.sock')}`
const procs = []

const run = (cmd, argv, env = {}) => {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr || r.stdout}`)
  return r.stdout
}
const docker = (argv) => run('docker', argv, { DOCKER_HOST: host })
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
async function startRegistry(r) {
  const addr = `127.0.0.1:${await freePort()}`
  const root = join(work, `registry${r}`)
  const p = spawn(berth, ['registry', 'serve', '--addr', addr, '--root', root], { stdio: 'ignore' })
  procs.push(p)
  await waitFor(() => spawnSync('curl', ['-sf', `http://${addr}/v2/`]).status === 0, 'registry')
  return {
    addr,
    stop: async () => {
      p.kill('SIGTERM')
      await Promise.race([new Promise((res) => p.once('exit', res)), sleep(3000)])
      rmSync(root, { recursive: true, force: true })
    },
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function waitFor(check, what) {
  for (let i = 0; i < 300; i++) {
    if (check()) return
    await sleep(50)
  }
  throw new Error(`${what} did not start`)
}

try {
  procs.push(spawn(join(repo, 'bin/berthd'), ['-H', host, '--data-root', join(work, 'data'), '--exec-root', execRoot, '--loopback-registries-only'], { stdio: 'ignore' }))
  await waitFor(() => spawnSync(berth, ['-H', host, 'version'], { stdio: 'ignore' }).status === 0, 'berthd')

  // The image: 5 layers of random (incompressible) data, loaded from a docker-archive made with tar.
  const img = join(work, 'img')
  mkdirSync(img)
  const diffIds = []
  const layerNames = []
  for (let i = 0; i < layers; i++) {
    const dir = join(work, `l${i}`)
    mkdirSync(dir)
    writeFileSync(join(dir, `data${i}.bin`), randomBytes(mbPerLayer * 1024 * 1024))
    run('tar', ['-C', dir, '-cf', join(img, `layer${i}.tar`), '.'])
    diffIds.push(`sha256:${run('sha256sum', [join(img, `layer${i}.tar`)]).split(' ')[0]}`)
    layerNames.push(`layer${i}.tar`)
    rmSync(dir, { recursive: true })
  }
  writeFileSync(join(img, 'config.json'), JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }))
  writeFileSync(join(img, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['bench/big:1'], Layers: layerNames }]))
  const archive = join(work, 'big.tar')
  run('tar', ['-C', img, '-cf', archive, '.'])
  rmSync(img, { recursive: true })
  docker(['load', '-i', archive])
  const mb = (layers * mbPerLayer * 1024 * 1024) / 1e6

  const rows = { 'berth push': [], 'berth pull': [], 'skopeo push': [], 'skopeo pull': [] }
  for (let r = 0; r < runs; r++) {
    // A fresh, empty registry per run: every push uploads every layer.
    const registry = await startRegistry(r)
    const addr = registry.addr
    const ref = `${addr}/berth/big:${r}`
    docker(['tag', 'bench/big:1', ref])
    rows['berth push'].push(time(() => docker(['push', ref])))
    docker(['rmi', ref, 'bench/big:1'])
    rows['berth pull'].push(time(() => docker(['pull', ref])))
    docker(['tag', ref, 'bench/big:1'])
    docker(['rmi', ref])

    const sref = `docker://${addr}/skopeo/big${r}:1`
    rows['skopeo push'].push(time(() => run('skopeo', ['--insecure-policy', 'copy', '--dest-tls-verify=false', `docker-archive:${archive}`, sref])))
    const out = join(work, `oci${r}`)
    rows['skopeo pull'].push(time(() => run('skopeo', ['--insecure-policy', 'copy', '--src-tls-verify=false', sref, `oci:${out}:big`])))
    rmSync(out, { recursive: true, force: true })
    await registry.stop()
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const lines = [
    `# Registry push/pull, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `${layers} layers x ${mbPerLayer} MiB of random data (${mb.toFixed(0)} MB), berth registry serve on loopback, ${runs} runs, median.`,
    'Each run pushes to a fresh, empty registry. berth = the docker CLI against berthd: gzip (level 6) on push, done once per',
    'layer and remembered, so only the first berth push pays the compression (later runs upload the kept blobs); pull =',
    'download, verify, gunzip, unpack. skopeo pushes from a docker-archive (compressing every time) and pulls into an OCI',
    'layout without unpacking, so its pull does less work than an engine pull. Docker itself is not measured here.',
    '',
    '| operation | median s | MB/s | all runs (s), first run first |',
    '| --- | ---: | ---: | --- |',
    ...Object.entries(rows).map(([k, xs]) => `| ${k} | ${median(xs).toFixed(2)} | ${(mb / median(xs)).toFixed(1)} | ${xs.map((x) => x.toFixed(2)).join(', ')} |`),
    '',
  ]
  mkdirSync(join(repo, 'bench/results'), { recursive: true })
  const file = join(repo, 'bench/results', `registry-${new Date().toISOString().slice(0, 10)}.md`)
  writeFileSync(file, lines.join('\n'))
  process.stdout.write(lines.join('\n'))
} finally {
  spawnSync(berth, ['-H', host, 'rm', '-f', ...spawnSync(berth, ['-H', host, 'ps', '-aq'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)], { stdio: 'ignore' })
  for (const p of procs.reverse()) {
    p.kill('SIGTERM')
    await Promise.race([new Promise((r) => p.once('exit', r)), sleep(3000)])
    if (p.exitCode === null) p.kill('SIGKILL')
  }
  rmSync(work, { recursive: true, force: true })
  if (existsSync(execRoot)) rmSync(execRoot, { recursive: true, force: true })
}
