import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { silentLogger } from '../common/index.js'
import { isMountpoint } from '../sys/index.js'
import { ReadOnlyBinary } from './readonly-binary.js'

const skip = process.getuid?.() === 0 ? false : 'needs root (mount)'

function mountOptions(mountinfo: string, target: string): string | undefined {
  return mountinfo.split('\n').find((l) => l.split(' ')[4] === target)?.split(' ')[5]
}

test('ReadOnlyBinary.command() runs the binary from a read-only bind mount, made again when the binary is replaced', { skip }, async (t) => {
  const dir = await mkdtemp('/tmp/berth-robin-')
  const binary = new ReadOnlyBinary(join(dir, 'tool'), join(dir, 'tool.ro'), silentLogger)
  t.after(async () => {
    await binary.close()
    await rm(dir, { recursive: true, force: true })
  })
  await copyFile('/bin/true', join(dir, 'tool'))
  const cmd = await binary.command()
  assert.deepEqual(cmd, { path: join(dir, 'tool.ro'), env: { _LIBCONTAINER_CLONED_BINARY: '1' } })
  assert.ok(await isMountpoint(cmd.path))
  assert.match(mountOptions(await readFile('/proc/self/mountinfo', 'utf8'), cmd.path) ?? '', /^ro\b/)
  await assert.rejects(writeFile(cmd.path, 'x'), { code: 'EROFS' })
  // A package upgrade renames a new file into place.
  await copyFile('/bin/false', join(dir, 'tool.new'))
  await rename(join(dir, 'tool.new'), join(dir, 'tool'))
  await binary.command()
  assert.equal(statSync(cmd.path).ino, statSync(join(dir, 'tool')).ino)
  await binary.close()
  assert.equal(await isMountpoint(cmd.path), false)
})

test('ReadOnlyBinary.command() falls back to the plain binary when it cannot mount', async (t) => {
  const dir = await mkdtemp('/tmp/berth-robin-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  const binary = new ReadOnlyBinary('/bin/true', join(dir, 'missing-dir', 'tool.ro'), silentLogger)
  assert.deepEqual(await binary.command(), { path: '/bin/true', env: {} })
})
