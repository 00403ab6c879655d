import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import { DockerIgnore } from '../../../common/index.js'
import { DaemonError, type EngineClient, type ImageBuildOptions, type JsonMessage } from '../../../client/index.js'
import { sendContext } from './build.js'
import { contextKeyOf, contextTar, fingerprintOf, fingerprints, walkContext } from './context-tar.js'

async function names(stream: Readable): Promise<string[]> {
  const extract = tarStream.extract()
  const out: string[] = []
  extract.on('entry', (h, s, next) => {
    out.push(h.name)
    s.on('end', () => next())
    s.resume()
  })
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve())
    extract.on('error', reject)
  })
  stream.pipe(extract as unknown as NodeJS.WritableStream)
  await done
  return out
}

test('contextTar() leaves out ignored files but always sends the Dockerfile and .dockerignore', async (t) => {
  const dir = mkdtempSync('/tmp/berth-ctxtar-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules/x'), { recursive: true })
  mkdirSync(join(dir, 'logs'))
  for (const f of ['Dockerfile', '.dockerignore', 'main.js', 'node_modules/x/i.js', 'logs/a.log', 'logs/keep.log']) writeFileSync(join(dir, f), f)
  const ignore = DockerIgnore.parse('node_modules\nlogs\n!logs/keep.log\nDockerfile\n.dockerignore\n')
  const got = await names(contextTar({ dir, ignore, keep: new Set(['Dockerfile', '.dockerignore']), extra: { '.dockerfile.x': Buffer.from('FROM a') } }))
  assert.deepEqual(got, ['.dockerignore', 'Dockerfile', 'logs/keep.log', 'main.js', '.dockerfile.x'])
})

interface Entry { name: string; size: number; pax: Record<string, string> | undefined; data: string }

async function entries(stream: Readable): Promise<Entry[]> {
  const extract = tarStream.extract()
  const out: Entry[] = []
  extract.on('entry', (h, s, next) => {
    const parts: Buffer[] = []
    s.on('data', (c: unknown) => void parts.push(c as Buffer))
    s.on('end', () => {
      const pax = h.pax && Object.keys(h.pax).some((k) => k.startsWith('BERTH.')) ? Object.fromEntries(Object.entries(h.pax).filter(([k]) => k.startsWith('BERTH.'))) : undefined
      out.push({ name: h.name, size: h.size ?? 0, pax, data: Buffer.concat(parts).toString() })
      next()
    })
  })
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve())
    extract.on('error', reject)
  })
  stream.pipe(extract as unknown as NodeJS.WritableStream)
  await done
  return out
}

test('fingerprintOf: size, times, inode, device and mode; nothing for a file changed in the last 2 s', () => {
  const dir = mkdtempSync('/tmp/berth-ctxtar-')
  try {
    writeFileSync(join(dir, 'f'), 'hello')
    const st = lstatSync(join(dir, 'f'), { bigint: true })
    assert.equal(fingerprintOf(st, st.ctimeNs + 1_000_000_000n), undefined)
    assert.equal(fingerprintOf(st, st.ctimeNs + 3_000_000_000n), `5:${st.mtimeNs}:${st.ctimeNs}:${st.ino}:${st.dev}:${st.mode}`)
    const later = BigInt(Date.now() + 10_000) * 1_000_000n
    assert.deepEqual([...fingerprints([{ name: 'f', host: join(dir, 'f'), stat: st }], later).keys()], ['f'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('contextTar() with fingerprints: cached files go as headers with PAX records and no data, the others with theirs', async (t) => {
  const dir = mkdtempSync('/tmp/berth-ctxtar-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n')
  writeFileSync(join(dir, 'kept.bin'), 'x'.repeat(1000))
  writeFileSync(join(dir, 'new.txt'), 'new')
  const walked = await walkContext(dir)
  const fps = new Map([['kept.bin', 'fp-kept'], ['new.txt', 'fp-new']])
  const got = await entries(contextTar({ dir, entries: walked, fingerprints: fps, cached: new Set(['kept.bin']) }))
  assert.deepEqual(got, [
    { name: 'Dockerfile', size: 13, pax: undefined, data: 'FROM scratch\n' },
    { name: 'kept.bin', size: 0, pax: { 'BERTH.fingerprint': 'fp-kept', 'BERTH.cached': '1' }, data: '' },
    { name: 'new.txt', size: 3, pax: { 'BERTH.fingerprint': 'fp-new' }, data: 'new' },
  ])
  assert.equal(await contextKeyOf(dir), await contextKeyOf(join(dir, '.')), 'the key is the real path')
  assert.match(await contextKeyOf(dir), /^[0-9a-f]{64}$/)
})

/** An EngineClient with only what sendContext uses, recording what it was sent. */
function buildClient(answer: (files: Record<string, string>) => string[] | Error, failFirstBuild?: Error): { client: EngineClient; builds: Array<{ key: string | undefined; entries: Promise<Entry[]> }> } {
  const builds: Array<{ key: string | undefined; entries: Promise<Entry[]> }> = []
  const client = {
    async buildContextMissing(_key: string, files: Record<string, string>): Promise<string[]> {
      const a = answer(files)
      if (a instanceof Error) throw a
      return a
    },
    async imageBuild(context: Readable, options: ImageBuildOptions): Promise<AsyncIterable<JsonMessage>> {
      const read = entries(context)
      builds.push({ key: options.contextKey, entries: read })
      if (failFirstBuild && builds.length === 1) {
        await read
        throw failFirstBuild
      }
      return [][Symbol.iterator]() as unknown as AsyncIterable<JsonMessage>
    },
  }
  return { client: client as unknown as EngineClient, builds }
}

test('sendContext: against berthd only missing files carry data; a daemon without the endpoint gets the plain context; a cache miss sends everything again', async (t) => {
  const dir = mkdtempSync('/tmp/berth-ctxtar-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'a.txt'), 'aaa')
  writeFileSync(join(dir, 'b.txt'), 'bbb')
  const old = new Date(Date.now() - 60_000)
  const walked = (await walkContext(dir)).map((e) => ({ ...e, stat: Object.assign(Object.create(Object.getPrototypeOf(e.stat)), e.stat, { mtimeNs: BigInt(old.getTime()) * 1_000_000n, ctimeNs: BigInt(old.getTime()) * 1_000_000n }) }))
  const transfer = { dir, extra: {}, entries: walked }

  const berthd = buildClient((files) => Object.keys(files).filter((n) => n === 'b.txt'))
  await sendContext(berthd.client, transfer, {})
  assert.equal(berthd.builds.length, 1)
  assert.equal(berthd.builds[0]?.key, await contextKeyOf(dir))
  const sentToBerthd = await berthd.builds[0]?.entries
  assert.deepEqual(sentToBerthd?.map((e) => [e.name, e.data, e.pax?.['BERTH.cached'] ?? '-']), [['a.txt', '', '1'], ['b.txt', 'bbb', '-']])

  const dockerd = buildClient(() => new DaemonError('NotFound', 404, 'page not found'))
  await sendContext(dockerd.client, transfer, {})
  assert.equal(dockerd.builds[0]?.key, undefined)
  assert.deepEqual((await dockerd.builds[0]?.entries)?.map((e) => [e.name, e.data, e.pax]), [['a.txt', 'aaa', undefined], ['b.txt', 'bbb', undefined]])

  const miss = new DaemonError('Conflict', 409, 'build context cache: 1 file(s) sent as cached are not stored here (a.txt); send the context again')
  const dropped = buildClient(() => [], miss)
  await sendContext(dropped.client, transfer, {})
  assert.equal(dropped.builds.length, 2)
  assert.deepEqual((await dropped.builds[1]?.entries)?.map((e) => [e.name, e.data, e.pax?.['BERTH.cached'] ?? '-']), [['a.txt', 'aaa', '-'], ['b.txt', 'bbb', '-']])

  const other = buildClient(() => new DaemonError('Internal', 500, 'disk on fire'))
  await assert.rejects(sendContext(other.client, transfer, {}), /disk on fire/)
})
