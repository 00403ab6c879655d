import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRootfsFile, readRootfsFileSync, resolveInRootfs, resolveInRootfsSync } from './rootfs-files.js'

/** A rootfs under `dir` whose /etc/passwd links inside it and /etc/group outside it (to dir/host-secret). */
async function makeRootfs(dir: string): Promise<string> {
    const rootfs = join(dir, 'rootfs')
    await mkdir(join(rootfs, 'etc'), { recursive: true })
    await mkdir(join(rootfs, 'data'), { recursive: true })
    await writeFile(join(rootfs, 'data', 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
    await writeFile(join(dir, 'host-secret'), 'secret')
    await symlink('/data/passwd', join(rootfs, 'etc', 'passwd'))
    await symlink('../../../host-secret', join(rootfs, 'etc', 'group'))
    await symlink('etc', join(rootfs, 'conf'))
  return rootfs
}

test('readRootfsFile() follows symlinks inside the rootfs and never outside it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-rootfs-'))
  try {
    const rootfs = await makeRootfs(dir)
    assert.equal(await readRootfsFile(rootfs, '/etc/passwd'), 'root:x:0:0::/root:/bin/sh\n')
    assert.equal(await readRootfsFile(rootfs, '/conf/passwd'), 'root:x:0:0::/root:/bin/sh\n')
    assert.equal(await resolveInRootfs(rootfs, '/etc/group'), join(rootfs, 'host-secret'))
    assert.equal(await readRootfsFile(rootfs, '/etc/group'), undefined)
    assert.equal(await readRootfsFile(rootfs, '/etc/shadow'), undefined)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('readRootfsFileSync() and resolveInRootfsSync() resolve as the async forms; a FIFO is not read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-rootfs-'))
  try {
    const rootfs = await makeRootfs(dir)
    await symlink('loop', join(rootfs, 'loop'))
    execFileSync('mkfifo', [join(rootfs, 'etc', 'fifo')])
    assert.equal(readRootfsFileSync(rootfs, '/etc/passwd'), 'root:x:0:0::/root:/bin/sh\n')
    assert.equal(readRootfsFileSync(rootfs, '/conf/passwd'), 'root:x:0:0::/root:/bin/sh\n')
    for (const path of ['/etc/group', '/conf/../etc/passwd', '/../../etc/passwd', '/etc/none']) {
      assert.equal(resolveInRootfsSync(rootfs, path), await resolveInRootfs(rootfs, path), path)
    }
    assert.equal(readRootfsFileSync(rootfs, '/etc/group'), undefined)
    assert.equal(readRootfsFileSync(rootfs, '/etc/shadow'), undefined)
    assert.equal(readRootfsFileSync(rootfs, '/etc'), undefined)
    // No writer will ever come: a read would block berthd's event loop.
    assert.equal(readRootfsFileSync(rootfs, '/etc/fifo'), undefined)
    assert.throws(() => resolveInRootfsSync(rootfs, '/loop/x'), /too many levels of symbolic links/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
