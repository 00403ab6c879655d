// save/load with the docker CLI and skopeo as the real peer (docker-archive:, oci-archive:, oci:),
// skopeo copy to and from berth's registry, image prune, and bad input: truncated archives,
// layers that try to escape, a registry serving a blob with the wrong digest; zstd layers and a
// download resumed with Range after a dropped connection.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { berthBin, Daemon, isRoot, type CliResult } from './harness.js'
import { imageArchive, layerTar, packEntries, startBerthRegistry, type RunningRegistry } from './registry-peers.js'

const have = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0
const skip = isRoot() && have('skopeo') && have('zstd') ? false : 'needs root, skopeo and zstd (scripts/setup.sh installs them)'

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const skopeo = (args: string[]): { code: number; out: string } => {
  const r = spawnSync('skopeo', ['--insecure-policy', ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` }
}

describe('image archives and skopeo interop', { skip }, () => {
  const d = new Daemon()
  let reg: RunningRegistry
  const work = mkdtempSync('/var/tmp/berth-archive-it-')
  const blobCount = (): number => readdirSync(join(d.dataRoot, 'blobs', 'sha256')).length
  before(async () => {
    reg = await startBerthRegistry()
    await d.startWithBusybox()
  })
  after(async () => {
    await d.stop()
    await reg?.stop()
    rmSync(work, { recursive: true, force: true })
  })

  test('docker save writes an archive skopeo reads as docker-archive, oci-archive and (copied) oci layout', () => {
    const file = join(work, 'busybox.tar')
    const save = d.docker(['save', '-o', file, 'busybox'])
    assert.equal(save.code, 0, save.stderr)
    const names = spawnSync('tar', ['tf', file], { encoding: 'utf8' }).stdout.split('\n')
    for (const n of ['manifest.json', 'repositories', 'index.json', 'oci-layout']) assert.ok(names.includes(n), names.join(' '))

    const asDocker = skopeo(['inspect', `docker-archive:${file}`])
    assert.equal(asDocker.code, 0, asDocker.out)
    const diffId = JSON.parse(d.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'busybox']).stdout)[0]
    assert.ok((JSON.parse(asDocker.out) as { Layers: string[] }).Layers.includes(diffId), asDocker.out)
    const asOci = skopeo(['inspect', `oci-archive:${file}`])
    assert.equal(asOci.code, 0, asOci.out)

    const layout = join(work, 'layout')
    const copy = skopeo(['copy', `docker-archive:${file}`, `oci:${layout}:bb`])
    assert.equal(copy.code, 0, copy.out)
    assert.ok(existsSync(join(layout, 'index.json')))
  })

  test('archives skopeo writes (docker-archive and oci-archive) load into berth and run', () => {
    const src = join(work, 'src.tar')
    assert.equal(d.docker(['save', '-o', src, 'busybox']).code, 0)
    const dockerArchive = join(work, 'skopeo-docker.tar')
    const ociArchive = join(work, 'skopeo-oci.tar')
    let r = skopeo(['copy', `docker-archive:${src}`, `docker-archive:${dockerArchive}:it/from-skopeo:docker`])
    assert.equal(r.code, 0, r.out)
    r = skopeo(['copy', `docker-archive:${src}`, `oci-archive:${ociArchive}:it/from-skopeo:oci`])
    assert.equal(r.code, 0, r.out)

    const load1 = d.docker(['load', '-i', dockerArchive])
    assert.equal(load1.code, 0, load1.stderr)
    assert.match(load1.stdout, /Loaded image: it\/from-skopeo:docker/)
    const load2 = d.berth(['load', '-i', ociArchive])
    assert.equal(load2.code, 0, load2.stderr)
    assert.match(load2.stdout, /Loaded image/)
    for (const ref of ['it/from-skopeo:docker']) {
      const run = d.docker(['run', '--rm', ref, 'echo', 'loaded'])
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.stdout, 'loaded\n')
    }
  })

  test('berth save | berth load round trip keeps tags; a truncated archive fails clearly and stores nothing', () => {
    const file = join(work, 'rt.tar')
    assert.equal(d.docker(['tag', 'busybox', 'it/roundtrip:1']).code, 0)
    const save = d.berth(['save', '-o', file, 'it/roundtrip:1'])
    assert.equal(save.code, 0, save.stderr)
    assert.equal(d.docker(['rmi', 'it/roundtrip:1']).code, 0)
    const load = d.berth(['load', '-i', file])
    assert.equal(load.code, 0, load.stderr)
    assert.equal(load.stdout, 'Loaded image: it/roundtrip:1\n')

    const archive = readFileSync(file)
    const truncated = join(work, 'truncated.tar')
    writeFileSync(truncated, archive.subarray(0, Math.floor(archive.length / 2)))
    assert.equal(d.docker(['rmi', 'it/roundtrip:1']).code, 0)
    const before = blobCount()
    const images = d.docker(['images', '-q']).stdout
    const r = d.docker(['load', '-i', truncated])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /unexpected EOF \(the archive is truncated\)|is missing \(truncated archive\?\)/)
    assert.equal(blobCount(), before)
    assert.equal(d.docker(['images', '-q']).stdout, images)
    assert.deepEqual(readdirSync(join(d.dataRoot, 'tmp')), [])
  })

  for (const [label, entries] of [
    ['a "../" path', [{ name: '../../../../escaped-dotdot', data: 'x' }]],
    ['an absolute path', [{ name: '/tmp/berth-escaped-absolute', data: 'x' }]],
    ['a file written through a symlink pointing outside', [
      { name: 'out', type: 'symlink' as const, linkname: '/tmp' },
      { name: 'out/berth-escaped-symlink', data: 'x' },
    ]],
  ] as const) {
    test(`loading a layer with ${label} fails and writes nothing outside the layer`, async () => {
      const evil = await packEntries(entries.map((e) => ({ ...e })))
      const file = join(work, 'evil.tar')
      writeFileSync(file, await imageArchive([evil], 'it/evil:1'))
      const before = blobCount()
      const r = d.docker(['load', '-i', file])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /Cannot unpack layer/)
      for (const p of ['/tmp/berth-escaped-absolute', '/tmp/berth-escaped-symlink', join(d.dataRoot, 'escaped-dotdot'), '/var/escaped-dotdot', '/escaped-dotdot']) {
        assert.equal(existsSync(p), false, p)
      }
      assert.equal(blobCount(), before)
      assert.equal(d.docker(['image', 'inspect', 'it/evil:1']).code, 1)
    })
  }

  test('skopeo copies to berth registry serve and back out, and berth pulls what skopeo pushed', () => {
    const file = join(work, 'for-skopeo.tar')
    assert.equal(d.docker(['save', '-o', file, 'busybox']).code, 0)
    let r = skopeo(['copy', '--dest-tls-verify=false', `docker-archive:${file}`, `docker://${reg.addr}/skopeo/bb:1`])
    assert.equal(r.code, 0, r.out)
    const pull = d.docker(['pull', `${reg.addr}/skopeo/bb:1`])
    assert.equal(pull.code, 0, pull.stderr)
    assert.equal(d.docker(['run', '--rm', `${reg.addr}/skopeo/bb:1`, 'true']).code, 0)

    assert.equal(d.docker(['tag', 'busybox', `${reg.addr}/fromberth/bb:1`]).code, 0)
    assert.equal(d.docker(['push', `${reg.addr}/fromberth/bb:1`]).code, 0)
    r = skopeo(['copy', '--src-tls-verify=false', `docker://${reg.addr}/fromberth/bb:1`, `oci:${join(work, 'out-layout')}:bb`])
    assert.equal(r.code, 0, r.out)
    r = skopeo(['inspect', '--tls-verify=false', `docker://${reg.addr}/fromberth/bb:1`])
    assert.equal(r.code, 0, r.out)
    r = skopeo(['list-tags', '--tls-verify=false', `docker://${reg.addr}/fromberth/bb`])
    assert.equal(r.code, 0, r.out)
    assert.deepEqual((JSON.parse(r.out) as { Tags: string[] }).Tags, ['1'])
    const search = d.berth(['search', `${reg.addr}/bb`])
    assert.equal(search.code, 0, search.stderr)
    assert.match(search.stdout, /fromberth\/bb/)
    assert.match(d.berth(['search', 'busybox']).stderr, /not supported/)
  })

  test('image prune removes dangling images, -a every unused one, honouring label filters', async () => {
    const extra = await packEntries([{ name: 'p.txt', data: 'prune me\n' }])
    const file = join(work, 'prune.tar')
    writeFileSync(file, await imageArchive([extra], 'it/prune:1', ['true']))
    assert.equal(d.docker(['load', '-i', file]).code, 0)
    const id = d.docker(['image', 'inspect', '--format', '{{.Id}}', 'it/prune:1']).stdout.trim()
    assert.equal(d.docker(['rmi', 'it/prune:1']).code, 0)
    // rmi deleted it; load again and untag by re-tagging another image under its name: dangling.
    assert.equal(d.docker(['load', '-i', file]).code, 0)
    assert.equal(d.docker(['tag', 'busybox', 'it/prune:1']).code, 0)
    assert.match(d.docker(['images', '--filter', 'dangling=true', '-q', '--no-trunc']).stdout, new RegExp(id))
    const prune = d.docker(['image', 'prune', '-f'])
    assert.equal(prune.code, 0, prune.stderr)
    assert.match(prune.stdout, new RegExp(`deleted: ${id}`))
    assert.match(prune.stdout, /Total reclaimed space: /)

    const kept = d.docker(['run', '-d', 'busybox', 'sleep', '300'])
    assert.equal(kept.code, 0, kept.stderr)
    assert.equal(d.docker(['load', '-i', file]).code, 0)
    const all = d.berth(['image', 'prune', '-a', '-f', '--filter', 'label=nothing=here'])
    assert.equal(all.code, 0, all.stderr)
    assert.equal(d.docker(['image', 'inspect', 'it/prune:1']).code, 0, 'a label filter that matches nothing removes nothing')
    const pruneAll = d.docker(['image', 'prune', '-a', '-f'])
    assert.equal(pruneAll.code, 0, pruneAll.stderr)
    assert.equal(d.docker(['image', 'inspect', 'busybox']).code, 0, 'an image a container uses stays')
    assert.match(pruneAll.stdout, /untagged: it\/roundtrip|untagged: it\/prune|deleted: /)
    assert.equal(d.docker(['rm', '-f', kept.stdout.trim()]).code, 0)
  })
})

/**
 * A tiny registry with crafted two-layer images (busybox's layer, then one file): a blob whose
 * bytes do not match its digest, a zstd layer, and a blob whose first download drops halfway.
 */
async function craftedRegistry(base: Buffer, ours: Buffer): Promise<{ server: Server; addr: string }> {
  const gzip = (b: Buffer): Buffer => spawnSync('gzip', ['-c', '-1'], { input: b }).stdout as Buffer
  const zstd = (b: Buffer): Buffer => spawnSync('zstd', ['-q', '-c'], { input: b }).stdout as Buffer
  const blobs = new Map<string, Buffer>()
  const manifests = new Map<string, Buffer>()
  const gz = 'application/vnd.oci.image.layer.v1.tar+gzip'
  const add = (repo: string, layers: Array<{ plain: Buffer; bytes: Buffer; mediaType: string; served?: Buffer }>): void => {
    const cfg = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', config: { Cmd: ['cat', '/crafted.txt'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l.plain)) },
    }))
    blobs.set(`${repo}/${sha(cfg)}`, cfg)
    for (const l of layers) blobs.set(`${repo}/${sha(l.bytes)}`, l.served ?? l.bytes)
    manifests.set(repo, Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(cfg), size: cfg.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha(l.bytes), size: l.bytes.length })),
    })))
  }
  const baseGz = gzip(base)
  const oursGz = gzip(ours)
  const wrong = Buffer.from(oursGz)
  wrong[wrong.length - 12] = (wrong[wrong.length - 12] ?? 0) ^ 0xff
  add('bad', [{ plain: base, bytes: baseGz, mediaType: gz }, { plain: ours, bytes: oursGz, mediaType: gz, served: wrong }])
  add('zstd', [{ plain: base, bytes: zstd(base), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }, { plain: ours, bytes: zstd(ours), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }])
  // Same layers as "bad" but served right: the base blob drops halfway on its first download.
  add('flaky', [{ plain: base, bytes: baseGz, mediaType: gz }, { plain: ours, bytes: oursGz, mediaType: gz }])
  const flakyDigest = sha(baseGz)
  let dropped = false
  const server = createServer((req, res) => {
    const url = req.url ?? ''
    if (url === '/v2/') return res.end('{}')
    const m = /^\/v2\/crafted\/(\w+)\/(manifests|blobs)\/(.+)$/.exec(url)
    if (!m) {
      res.writeHead(404)
      return res.end()
    }
    if (m[2] === 'manifests') {
      const body = manifests.get(m[1] as string)
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
      return res.end(body)
    }
    const body = blobs.get(`${m[1]}/${m[3]}`)
    if (!body) {
      res.writeHead(404)
      return res.end()
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    if (m[1] === 'flaky' && m[3] === flakyDigest && !dropped) {
      dropped = true
      res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' })
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
      return
    }
    if (range) {
      const start = Number(range[1])
      resumed.push(start)
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` })
      return res.end(body.subarray(start))
    }
    res.writeHead(200, { 'Content-Length': body.length })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, addr: `127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Offsets of the Range requests the crafted registry answered. */
const resumed: number[] = []

/**
 * The CLIs without blocking this process: the crafted registry is served from this process, so
 * spawnSync would deadlock it.
 */
function cliAsync(d: Daemon, kind: 'docker' | 'berth', args: string[]): Promise<CliResult> {
  const [cmd, argv] = kind === 'docker' ? ['docker', args] : [berthBin, ['-H', d.host, ...args]]
  const child = spawn(cmd, argv, { env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CLI_HINTS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer)
    resolve({ code: code ?? -1, stdout, stderr })
  }))
}

describe('pulling from a crafted registry', { skip }, () => {
  const d = new Daemon()
  let crafted: { server: Server; addr: string }
  before(async () => {
    await d.startWithBusybox()
    const diffId = JSON.parse(d.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'busybox']).stdout)[0] as string
    crafted = await craftedRegistry(layerTar(d.dataRoot, diffId), await packEntries([{ name: 'crafted.txt', data: 'crafted layer\n' }]))
  })
  after(async () => {
    await d.stop()
    await new Promise((r) => crafted?.server.close(r))
  })

  test('a blob whose bytes do not match its digest fails the pull cleanly and leaves no blob or image', async () => {
    const before = readdirSync(join(d.dataRoot, 'blobs', 'sha256')).sort()
    const r = await cliAsync(d, 'docker', ['pull', `${crafted.addr}/crafted/bad:1`])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.match(r.stderr, /filesystem layer verification failed for digest sha256:[0-9a-f]{64}/)
    assert.deepEqual(readdirSync(join(d.dataRoot, 'blobs', 'sha256')).sort(), before)
    assert.deepEqual(readdirSync(join(d.dataRoot, 'blobs', 'ingest')), [])
    assert.equal(d.docker(['image', 'inspect', `${crafted.addr}/crafted/bad:1`]).code, 1)
  })

  test('zstd layers are pulled through the zstd program', async () => {
    const r = await cliAsync(d, 'docker', ['pull', `${crafted.addr}/crafted/zstd:1`])
    assert.equal(r.code, 0, r.stderr)
    const run = d.docker(['run', '--rm', `${crafted.addr}/crafted/zstd:1`])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, 'crafted layer\n')
  })

  test('a download whose connection drops resumes with a Range request', async () => {
    // busybox's layer must be downloaded, not found locally.
    assert.equal(d.docker(['rmi', `${crafted.addr}/crafted/zstd:1`]).code, 0)
    assert.equal(d.docker(['rmi', 'busybox']).code, 0)
    const r = await cliAsync(d, 'berth', ['pull', `${crafted.addr}/crafted/flaky:1`])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Pull complete/)
    assert.equal(resumed.length, 1, 'one Range request')
    assert.ok((resumed[0] ?? 0) > 0)
    assert.equal(d.docker(['run', '--rm', `${crafted.addr}/crafted/flaky:1`]).stdout, 'crafted layer\n')
  })
})
