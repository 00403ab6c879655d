import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import type { Header as Headers } from 'tar-stream'
import { packTar } from './pack-tar.js'
import { overlayToOciLayer } from './overlay-diff.js'

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
  const out = await entries(overlayToOciLayer(Readable.from([tar]), { clampMtime: 1_000 }))
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
  const collect = async (s: Readable): Promise<Buffer> => {
    const chunks: Buffer[] = []
    for await (const c of s) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  }
  const a = await collect(overlayToOciLayer(Readable.from([tar])))
  const b = await collect(overlayToOciLayer(Readable.from([tar])))
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
  const out = await entries(overlayToOciLayer(Readable.from([tar]), { idMappings }))
  assert.deepEqual(out.map((e) => [e.name, e.uid, e.gid]), [['a', 1000, 1001], ['b', 0, 0], ['c', 0, 0]])
})
