/**
 * Registries for the registry integration tests, all on loopback: Debian's docker-registry
 * (Distribution 2.8) as a plain process with a temp config and storage dir, and berth's own
 * `berth registry serve`. Also builds small image archives (docker-archive format) in memory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import tarStream from 'tar-stream'
import { berthBin, freePort, sleep } from './harness.js'

export interface RunningRegistry {
  /** "127.0.0.1:PORT" */
  addr: string
  root: string
  stop(): Promise<void>
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', () => resolve(0))
  })
}

async function waitUp(child: ChildProcess, url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`registry exited ${child.exitCode}: ${log()}`)
    const s = await status(url)
    if (s === 200 || s === 401) return
    await sleep(50)
  }
  throw new Error(`registry did not answer: ${log()}`)
}

function stopper(child: ChildProcess, root: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    rmSync(root, { recursive: true, force: true })
  }
}

/** A bcrypt htpasswd line made by apache2-utils' htpasswd. */
export function htpasswdLine(user: string, password: string): string {
  const r = spawnSync('htpasswd', ['-nbB', user, password], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`)
  return r.stdout.trim()
}

export async function startDistribution(opts: { htpasswd?: string } = {}): Promise<RunningRegistry> {
  const root = mkdtempSync('/var/tmp/berth-distribution-')
  const port = await freePort()
  const auth = opts.htpasswd
    ? `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${join(root, 'htpasswd')}\n`
    : ''
  if (opts.htpasswd) writeFileSync(join(root, 'htpasswd'), `${opts.htpasswd}\n`)
  writeFileSync(join(root, 'config.yml'), [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(root, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: berth-integration-test',
    auth,
  ].join('\n'))
  const logFile = join(root, 'log')
  const child = spawn('docker-registry', ['serve', join(root, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] })
  const chunks: Buffer[] = []
  child.stderr?.on('data', (c: Buffer) => chunks.push(c))
  const log = (): string => Buffer.concat(chunks).toString().slice(-3000)
  await waitUp(child, `http://127.0.0.1:${port}/v2/`, log)
  void logFile
  return { addr: `127.0.0.1:${port}`, root, stop: stopper(child, root) }
}

export async function startBerthRegistry(opts: { htpasswd?: string } = {}): Promise<RunningRegistry & { log(): string }> {
  const root = mkdtempSync('/var/tmp/berth-registry-')
  const port = await freePort()
  const args = ['-D', 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', join(root, 'data')]
  if (opts.htpasswd) {
    writeFileSync(join(root, 'htpasswd'), `${opts.htpasswd}\n`)
    args.push('--htpasswd', join(root, 'htpasswd'))
  }
  const child = spawn(berthBin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const chunks: Buffer[] = []
  child.stderr?.on('data', (c: Buffer) => chunks.push(c))
  const log = (): string => Buffer.concat(chunks).toString()
  await waitUp(child, `http://127.0.0.1:${port}/v2/`, log)
  return { addr: `127.0.0.1:${port}`, root, stop: stopper(child, root), log }
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

export function packEntries(entries: Array<{ name: string; data?: Buffer | string; type?: 'file' | 'directory' | 'symlink'; linkname?: string }>): Promise<Buffer> {
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer)
    })
    pack.on('end', () => resolve(Buffer.concat(chunks)))
    pack.on('error', reject)
  })
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.type === 'directory' ? 0o755 : 0o644, mtime: new Date(0) }
    if (e.data !== undefined) pack.entry(header, typeof e.data === 'string' ? Buffer.from(e.data) : e.data)
    else pack.entry(header)
  }
  pack.finalize()
  return done
}

/** A docker-archive (manifest.json + config + layer tars) of one image made of these layer tars. */
export async function imageArchive(layers: Buffer[], repoTag: string, cmd: string[] = ['sh']): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2026-01-01T00:00:00Z',
    config: { Cmd: cmd, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: layers.map(sha) },
    history: layers.map((_, i) => ({ created: '2026-01-01T00:00:00Z', created_by: `layer ${i}` })),
  }))
  const configName = `${sha(config).slice(7)}.json`
  const layerNames = layers.map((l) => `${sha(l).slice(7)}/layer.tar`)
  return packEntries([
    { name: configName, data: config },
    ...layers.map((l, i) => ({ name: layerNames[i] as string, data: l })),
    { name: 'manifest.json', data: JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }]) },
  ])
}

/**
 * The uncompressed tar of an image's layer, read from the daemon's content store: the blob itself,
 * or (a pulled gzip layer) the gunzip of the registry blob it is derived from.
 */
export function layerTar(dataRoot: string, diffId: string): Buffer {
  const hex = diffId.replace(/^sha256:/, '')
  const derived = join(dataRoot, 'blobs', 'derived', `${hex}.json`)
  if (existsSync(derived)) {
    const { from } = JSON.parse(readFileSync(derived, 'utf8')) as { from: string }
    return gunzipSync(readFileSync(join(dataRoot, 'blobs', 'sha256', from.replace(/^sha256:/, ''))))
  }
  return readFileSync(join(dataRoot, 'blobs', 'sha256', hex))
}
