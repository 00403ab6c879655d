import { test } from 'node:test'
import assert from 'node:assert/strict'
import { packTar } from '../layers/index.js'
import { TarReader, type TarHeader } from './tar-reader.js'

interface Seen { header: TarHeader; data: string }

function readAll(tar: Buffer, chunkSize: number): Seen[] {
  const out: Seen[] = []
  let current: { header: TarHeader; parts: Buffer[] } | undefined
  const reader = new TarReader({
    entry: (header) => (current = { header, parts: [] }),
    data: (chunk) => current?.parts.push(chunk),
    end: () => {
      if (current) out.push({ header: current.header, data: Buffer.concat(current.parts).toString() })
      current = undefined
    },
  })
  for (let i = 0; i < tar.length; i += chunkSize) reader.push(tar.subarray(i, i + chunkSize))
  reader.finish()
  return out
}

test('TarReader reports the same entries whatever the chunk boundaries', async () => {
  const long = `${'dir/'.repeat(40)}file.txt` // over 100 bytes: a PAX path
  const tar = await packTar([
    { header: { name: 'a.txt', mode: 0o640, mtime: new Date(1_600_000_000_000) }, data: 'alpha' },
    { header: { name: 'sub', type: 'directory', mode: 0o755 } },
    { header: { name: long, mode: 0o644 }, data: 'x'.repeat(1500) },
    { header: { name: 'ln', type: 'symlink', linkname: 'a.txt' } },
    { header: { name: 'hard', type: 'link', linkname: 'a.txt' } },
    { header: { name: 'empty', mode: 0o600 }, data: '' },
  ])
  const whole = readAll(tar, tar.length)
  for (const size of [1, 7, 511, 512, 513, 4096]) assert.deepEqual(readAll(tar, size), whole, `chunks of ${size}`)
  assert.deepEqual(whole.map((e) => [e.header.name, e.header.type, e.header.size, e.data.length]), [
    ['a.txt', 'file', 5, 5], ['sub', 'directory', 0, 0], [long, 'file', 1500, 1500],
    ['ln', 'symlink', 0, 0], ['hard', 'link', 0, 0], ['empty', 'file', 0, 0],
  ])
  assert.equal(whole[0]?.header.mode, 0o640)
  assert.equal(whole[0]?.header.mtime, 1_600_000_000)
  assert.equal(whole[3]?.header.linkname, 'a.txt')
})

test('TarReader hands an entry its PAX records (vendor ones too), and only that entry', async () => {
  const tar = await packTar([
    { header: { name: 'a.txt', pax: { 'BERTH.fingerprint': '5:1:2:3:4:33188', 'BERTH.cached': '1' } }, data: '' },
    { header: { name: 'b.txt' }, data: 'beta' },
  ])
  const [a, b] = readAll(tar, 100)
  assert.equal(a?.header.pax?.get('BERTH.fingerprint'), '5:1:2:3:4:33188')
  assert.equal(a?.header.pax?.get('BERTH.cached'), '1')
  assert.equal(b?.header.pax, undefined)
  assert.equal(b?.data, 'beta')
})

test('TarReader refuses a corrupted header and an archive cut inside an entry', async () => {
  const tar = await packTar([{ header: { name: 'a.txt' }, data: 'x'.repeat(2000) }])
  const bad = Buffer.from(tar)
  bad[10] = 0x41
  assert.throws(() => readAll(bad, 512), /invalid tar header/)
  assert.throws(() => readAll(tar.subarray(0, 1024), 512), /unexpected end of data/)
})
