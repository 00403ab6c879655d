import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { chmod, link, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import type { Header as Headers } from 'tar-stream'
import { toContainerId, type IdMappings } from '../../common/index.js'
import { run } from '../../sys/process.js'
import { packTar } from './pack-tar.js'
import { overlayTarArgv, overlayToOciLayer, type OciLayerOptions } from './overlay-diff.js'
import { encodeEntry, padding, type OutHeader } from './tar-header.js'
import { unpackLayer } from './unpack-layer.js'

async function entries(stream: Readable): Promise<Array<Headers & { body: string }>> {
  const extract = tarStream.extract()
  const out: Array<Headers & { body: string }> = []
  extract.on('entry', (h, source, next) => {
    const s = source as unknown as Readable
    const chunks: Buffer[] = []
    s.on('data', (c: Buffer) => chunks.push(c))
    s.on('end', () => {
      out.push({ ...h, body: Buffer.concat(chunks).toString() })
      next()
    })
  })
  const done = new Promise((resolve, reject) => {
    extract.on("finish", () => resolve(undefined))
    extract.on('error', reject)
  })
  stream.pipe(extract)
  await done
  return out
}

async function collect(s: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of s) chunks.push(Buffer.from(c))
  return Buffer.concat(chunks)
}

/** The layer overlayToOciLayer makes of `tar`, fed in chunks of `chunkSize` bytes. */
async function convert(tar: Buffer, opts: OciLayerOptions = {}, chunkSize = tar.length): Promise<Buffer> {
  return collect(overlayToOciLayer(chunked(tar, chunkSize), opts).tar)
}

function* chunked(buf: Buffer, size: number): Generator<Buffer> {
  for (let off = 0; off < buf.length; off += size) yield buf.subarray(off, off + size)
}

/** An entry written with berth's own header codec (for input tar-stream's pack cannot write). */
function rawEntry(h: OutHeader, data = Buffer.alloc(0)): Buffer {
  return Buffer.concat([encodeEntry({ ...h, size: data.length }), data, padding(data.length)])
}

const END = Buffer.alloc(1024)

/** tar(1)'s archive of a scratch dir with files of many kinds (no root needed). */
async function gnuTarOf(t: TestContext, fill: (dir: string) => Promise<void>): Promise<Buffer> {
  const scratch = await mkdtemp('/tmp/berth-overlay-diff-test-')
  t.after(() => rm(scratch, { recursive: true, force: true }))
  const dir = join(scratch, 'upper')
  await mkdir(dir)
  await fill(dir)
  const file = join(scratch, 'diff.tar')
  await run(overlayTarArgv(dir, file))
  return collect(createReadStream(file))
}

async function variedDir(dir: string): Promise<void> {
  await writeFile(join(dir, 'big'), randomBytes(700_001))
  await writeFile(join(dir, 'empty'), '')
  await writeFile(join(dir, 'exact'), randomBytes(512))
  await chmod(join(dir, 'big'), 0o4755)
  const deep = join(dir, 'd'.repeat(60), 'e'.repeat(60), 'f'.repeat(60))
  await mkdir(deep, { recursive: true })
  await writeFile(join(deep, 'split-into-prefix'), 'p')
  await writeFile(join(deep, 'g'.repeat(120)), 'needs a PAX path')
  await mkdir(join(dir, 'ünï'))
  await writeFile(join(dir, 'ünï', '名前'), 'utf-8 name')
  await symlink('big', join(dir, 'short-link'))
  await symlink('x'.repeat(150), join(dir, 'long-link'))
  await symlink('ünï/名前', join(dir, 'utf8-link'))
  await link(join(dir, 'big'), join(dir, 'hard'))
  await mkdir(join(dir, 'private'), { mode: 0o700 })
  await utimes(join(dir, 'exact'), 1_600_000_000.75, 1_600_000_000.75)
}

/** Entries tar(1) writes for what only root can make: whiteouts, devices, overlay and other xattrs. */
async function specialEntries(): Promise<Buffer> {
  const t = new Date(1_700_000_000_500)
  return packTar([
    { header: { name: './', type: 'directory', mode: 0o755, mtime: t } },
    { header: { name: './cache/', type: 'directory', mode: 0o750, mtime: t, pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } } },
    { header: { name: './cache/fresh', mode: 0o644, mtime: t, uid: 1000, gid: 1000 }, data: 'fresh' },
    { header: { name: './cap', mode: 0o755, mtime: t, pax: { 'SCHILY.xattr.security.capability': 'abc', 'SCHILY.xattr.trusted.overlay.origin': 'o' } }, data: 'bin' },
    { header: { name: './contig', type: 'contiguous-file', mode: 0o644, mtime: t }, data: 'contiguous' },
    { header: { name: './dev/', type: 'directory', mode: 0o755, mtime: t } },
    { header: { name: './dev/loop0', type: 'block-device', mode: 0o660, devmajor: 7, devminor: 0, mtime: t } },
    { header: { name: './dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3, mtime: t } },
    { header: { name: './doomed', type: 'character-device', mode: 0, devmajor: 0, devminor: 0, mtime: t } },
    { header: { name: './fifo', type: 'fifo', mode: 0o600, mtime: t } },
    { header: { name: './hard', type: 'link', linkname: './cache/fresh', mtime: t } },
    { header: { name: './usr/', type: 'directory', mode: 0o755, mtime: t, uid: 200_000, gid: 200_001, pax: { 'SCHILY.xattr.trusted.overlay.impure': 'y', 'SCHILY.xattr.user.note': 'ünï' } } },
  ])
}

const mappings: IdMappings = { uids: [{ containerId: 0, hostId: 100_000, size: 200_000 }], gids: [{ containerId: 0, hostId: 100_000, size: 200_000 }] }
const optionSets: OciLayerOptions[] = [{}, { clampMtime: 1_650_000_000 }, { idMappings: mappings }]

test('overlayToOciLayer() turns whiteouts and opaque dirs into OCI whiteout files', async () => {
  const t = new Date(2_000_000_000 * 1000)
  const tar = await packTar([
    { header: { name: './', type: 'directory', mode: 0o755, mtime: t } },
    { header: { name: './etc/', type: 'directory', mode: 0o755, mtime: t, pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } } },
    { header: { name: './etc/conf', type: 'file', mode: 0o644, mtime: t, uid: 5, gid: 6 }, data: 'hello' },
    { header: { name: './gone', type: 'character-device', mode: 0, devmajor: 0, devminor: 0, mtime: t } },
    { header: { name: './hard', type: 'link', linkname: './etc/conf', mtime: t } },
    { header: { name: './usr/', type: 'directory', mode: 0o755, mtime: t, pax: { 'SCHILY.xattr.trusted.overlay.origin': 'x' } } },
  ])
  const out = await entries(Readable.from(overlayToOciLayer(Readable.from([tar]), { clampMtime: 1_000 }).tar))
  assert.deepEqual(out.map((e) => [e.name, e.type]), [
    ['etc/', 'directory'],
    ['etc/.wh..wh..opq', 'file'],
    ['etc/conf', 'file'],
    ['.wh.gone', 'file'],
    ['hard', 'link'],
    ['usr/', 'directory'],
  ])
  const conf = out.find((e) => e.name === 'etc/conf')
  assert.equal(conf?.body, 'hello')
  assert.equal(conf?.uid, 5)
  assert.equal(conf?.mtime?.getTime(), 1_000_000)
  assert.equal(out.find((e) => e.name === 'hard')?.linkname, 'etc/conf')
  assert.ok(!out.find((e) => e.name === 'usr/')?.pax)
})

test('overlayToOciLayer() gives the same bytes for the same input', async () => {
  const tar = await packTar([{ header: { name: './a', type: 'file', mode: 0o644, mtime: new Date(5000) }, data: 'x' }])
  const a = await collect(overlayToOciLayer(Readable.from([tar])).tar)
  const b = await collect(overlayToOciLayer(Readable.from([tar])).tar)
  assert.deepEqual(a, b)
})

test('overlayToOciLayer() with idMappings writes owners as the container sees them, others unchanged', async () => {
  const t = new Date(1_000_000 * 1000)
  const tar = await packTar([
    { header: { name: './a', type: 'file', mode: 0o644, mtime: t, uid: 101000, gid: 201001 }, data: 'x' },
    { header: { name: './b', type: 'file', mode: 0o644, mtime: t, uid: 0, gid: 0 }, data: 'y' },
    { header: { name: './c', type: 'directory', mode: 0o755, mtime: t, uid: 100000, gid: 200000 } },
  ])
  const idMappings = { uids: [{ containerId: 0, hostId: 100000, size: 65536 }], gids: [{ containerId: 0, hostId: 200000, size: 65536 }] }
  const out = await entries(Readable.from(overlayToOciLayer(Readable.from([tar]), { idMappings }).tar))
  assert.deepEqual(out.map((e) => [e.name, e.uid, e.gid]), [['a', 1000, 1001], ['b', 0, 0], ['c', 0, 0]])
})

test('overlayToOciLayer() writes the bytes its tar-stream version wrote, however its input is chunked', async (t) => {
  const archives = { 'tar(1) of a dir': await gnuTarOf(t, variedDir), 'special entries': await specialEntries() }
  for (const [what, tar] of Object.entries(archives)) {
    for (const opts of optionSets) {
      const expected = await collect(tarStreamOciLayer(Readable.from([tar]), opts))
      for (const size of [tar.length, 65_536, 7919, 512, 511, ...(tar.length < 100_000 ? [1] : [])]) {
        assert.ok((await convert(tar, opts, size)).equals(expected), `${what}, ${JSON.stringify(opts)}, chunks of ${size}`)
      }
    }
  }
})

test('overlayToOciLayer() keeps mode 0, names that are not UTF-8 and binary xattr values as they are', async () => {
  // tar-stream's version wrote mode 0 as 0644 (0755 for a dir) and decoded names and PAX values as
  // UTF-8, replacing what was not (a setcap binary's security.capability, a Latin-1 file name).
  const mtime = 1_700_000_000
  const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x80, 0x20, 0x00, 0x00, 0xff, 0xfe])
  const latin1 = Buffer.from('caf\xe9', 'latin1').toString('latin1')
  const tar = Buffer.concat([
    rawEntry({ name: './shadow', type: 'file', mode: 0, uid: 0, gid: 42, mtime, size: 0 }, Buffer.from('secret')),
    rawEntry({ name: './locked/', type: 'directory', mode: 0, uid: 0, gid: 0, mtime, size: 0 }),
    rawEntry({ name: `./${latin1}`, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime, size: 0 }, Buffer.from('x')),
    rawEntry({ name: './ping', type: 'file', mode: 0o755, uid: 0, gid: 0, mtime, size: 0, pax: new Map([['SCHILY.xattr.security.capability', cap]]) }, Buffer.from('elf')),
    END,
  ])
  const out = await convert(tar)
  const shadow = out.subarray(0, 512)
  assert.equal(shadow.toString('latin1', 0, 6), 'shadow')
  assert.equal(shadow.toString('latin1', 100, 107), '000000 ')
  assert.equal(out.subarray(1024, 1536).toString('latin1', 100, 107), '000000 ', 'locked/ keeps mode 0')
  assert.ok(out.includes(Buffer.from(` path=${latin1}\n`, 'latin1')), 'the Latin-1 name survives, in a PAX path')
  assert.ok(out.includes(Buffer.concat([Buffer.from('SCHILY.xattr.security.capability='), cap, Buffer.from('\n')])))
})

test('overlayToOciLayer() reports the size unpackLayer records, and whether unpacking gives the dir back', async (t) => {
  const tar = await gnuTarOf(t, variedDir)
  const layer = overlayToOciLayer(chunked(tar, 65_536))
  const oci = await collect(layer.tar)
  const root = await mkdtemp('/tmp/berth-overlay-diff-unpack-')
  t.after(() => rm(root, { recursive: true, force: true }))
  const unpacked = await unpackLayer(Readable.from([oci]), root, async () => undefined)
  assert.deepEqual(layer.stats, { complete: true, size: unpacked.size, sameAsDir: true })
  const stats = async (opts: OciLayerOptions, input = tar): Promise<boolean> => {
    const l = overlayToOciLayer([input], opts)
    await collect(l.tar)
    return l.stats.sameAsDir
  }
  assert.equal(await stats({ clampMtime: 1_000 }), false, 'a clamped time')
  assert.equal(await stats({ clampMtime: 4_000_000_000 }), true, 'nothing to clamp')
  const uid = process.getuid?.() ?? 0
  const gid = process.getgid?.() ?? 0
  const own: IdMappings = { uids: [{ containerId: 0, hostId: uid, size: 1 }], gids: [{ containerId: 0, hostId: gid, size: 1 }] }
  assert.equal(toContainerId(own.uids, uid), 0)
  assert.equal(await stats({ idMappings: own }), true, 'every owner mapped')
  assert.equal(await stats({ idMappings: mappings }), uid >= 100_000 && uid < 300_000, 'an owner kept unmapped')
  const whiteoutName = Buffer.concat([rawEntry({ name: './.wh.not-a-whiteout', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: 0 }), END])
  assert.equal(await stats({}, whiteoutName), false, 'a file named like a whiteout')
})

test('overlayToOciLayer() fails on a truncated archive and on a corrupt header', async () => {
  const tar = await packTar([{ header: { name: './a', mode: 0o644, mtime: new Date(0) }, data: 'x'.repeat(2000) }])
  await assert.rejects(convert(tar.subarray(0, 1200)), /Unexpected end of data/)
  const corrupt = Buffer.from(tar)
  corrupt[10] = 0x41
  await assert.rejects(convert(corrupt), /Invalid tar header/)
})

/** overlayToOciLayer as it was on tar-stream (extract, then pack), kept to compare their output. */
function tarStreamOciLayer(input: NodeJS.ReadableStream, opts: OciLayerOptions = {}): Readable {
  const stripDot = (name: string): string => {
    let n = name.startsWith('./') ? name.slice(2) : name
    if (n === '.') n = ''
    return n
  }
  const extract = tarStream.extract()
  const pack = tarStream.pack()
  const clamp = (d: Date | undefined): Date => {
    const t = d ?? new Date(0)
    if (opts.clampMtime !== undefined && t.getTime() > opts.clampMtime * 1000) return new Date(opts.clampMtime * 1000)
    return new Date(Math.floor(t.getTime() / 1000) * 1000)
  }
  extract.on('entry', (header, source, next) => {
    const stream = source as unknown as Readable
    const name = stripDot(header.name)
    if (name === '' || name === '/') {
      stream.resume()
      stream.on('end', () => next())
      return
    }
    const mtime = clamp(header.mtime)
    const uid = header.uid ?? 0
    const gid = header.gid ?? 0
    const maps = opts.idMappings
    const base = {
      uid: maps ? (toContainerId(maps.uids, uid) ?? uid) : uid,
      gid: maps ? (toContainerId(maps.gids, gid) ?? gid) : gid,
      mtime, uname: '', gname: '',
    }
    const slash = name.replace(/\/$/, '').lastIndexOf('/')
    const dir = slash < 0 ? '' : name.slice(0, slash + 1)
    const leaf = name.replace(/\/$/, '').slice(slash + 1)
    const done = (err?: Error | null): void => next(err)
    if (header.type === 'character-device' && (header.devmajor ?? 0) === 0 && (header.devminor ?? 0) === 0) {
      stream.resume()
      pack.entry({ ...base, name: `${dir}.wh.${leaf}`, type: 'file', mode: 0o600, size: 0 }, Buffer.alloc(0), done)
      return
    }
    const pax: Record<string, string> = {}
    let opaque = false
    for (const [k, v] of Object.entries(header.pax ?? {})) {
      if (k === 'SCHILY.xattr.trusted.overlay.opaque') opaque = v === 'y'
      else if (k.startsWith('SCHILY.xattr.') && !k.startsWith('SCHILY.xattr.trusted.overlay.')) pax[k] = v
    }
    const out = {
      ...base,
      name,
      type: header.type,
      mode: header.mode,
      size: header.type === 'file' || header.type === 'contiguous-file' ? header.size : 0,
      ...(header.linkname ? { linkname: (header.type === 'link' ? stripDot(header.linkname) : header.linkname) as string } : {}),
      ...(header.type === 'character-device' || header.type === 'block-device' ? { devmajor: header.devmajor, devminor: header.devminor } : {}),
      ...(Object.keys(pax).length > 0 ? { pax } : {}),
    } as Headers
    if (out.type === 'file' || out.type === 'contiguous-file') {
      out.type = 'file'
      if (!out.size) {
        stream.resume()
        pack.entry(out, Buffer.alloc(0), done)
        return
      }
      stream.pipe(pack.entry(out, done) as unknown as NodeJS.WritableStream)
      return
    }
    stream.resume()
    pack.entry(out, (err) => {
      if (err || !opaque || header.type !== 'directory') return done(err)
      const dirName = name.endsWith('/') ? name : name + '/'
      pack.entry({ ...base, name: `${dirName}.wh..wh..opq`, type: 'file', mode: (header.mode ?? 0o755) & 0o777, size: 0 }, Buffer.alloc(0), done)
    })
  })
  extract.on('finish', () => pack.finalize())
  extract.on('error', (err) => pack.destroy(err))
  input.pipe(extract)
  return pack as unknown as Readable
}
