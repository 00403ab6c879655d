import { test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, constants, existsSync, openSync, readSync, statSync, statfsSync, writeSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FifoPool, fifoDirFor, openPipe, scratchDirFor } from './fifo-pool.js'

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fifo-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('FifoPool.take() makes FIFOs in batches ahead of need, clearing the directory first', async (t) => {
  const dir = join(await tempDir(t), 'pipes')
  const batches: number[] = []
  const pool = new FifoPool(dir, { batch: 4, lowWater: 2, mkfifo: async (paths) => {
    batches.push(paths.length)
    for (const p of paths) await writeFile(p, '')
  } })
  await mkdir(dir)
  await writeFile(join(dir, 'stale'), '')
  const first = await pool.take(3)
  assert.equal(first.length, 3)
  assert.equal(new Set(first).size, 3)
  assert.ok(!(await readdir(dir)).includes('stale'))
  // One left (< lowWater 2): a second batch was started in the background.
  const second = await pool.take(3)
  assert.equal(second.filter((p) => first.includes(p)).length, 0)
  assert.deepEqual(batches.slice(0, 2), [4, 4])
})

test('FifoPool.take() with the real mkfifo gives FIFOs', async (t) => {
  // lowWater 0: no background batch may still be writing into the directory when the test removes it.
  const pool = new FifoPool(join(await tempDir(t), 'pipes'), { batch: 2, lowWater: 0 })
  const [path] = await pool.take(1)
  assert.ok(path && statSync(path).isFIFO())
  // Released names go with the next batch, made by the real rm.
  const [other] = await pool.take(1)
  pool.release([path, other as string])
  await pool.take(1)
  assert.deepEqual([existsSync(path), existsSync(other as string)], [false, false])
})

/** What is waiting in the pipe at our end (one read). */
function received(ours: number): string {
  const buf = Buffer.alloc(64)
  return buf.subarray(0, readSync(ours, buf)).toString()
}

function closeBoth(ends: { ours: number; theirs: number }): void {
  closeSync(ends.ours)
  closeSync(ends.theirs)
}

test('openPipe() opens both ends of a FIFO once and unlinks it; data flows from the child end to ours', async (t) => {
  const pool = new FifoPool(join(await tempDir(t), 'pipes'), { batch: 2, lowWater: 0 })
  const [path] = (await pool.take(1)) as [string]
  const ends = openPipe(path)
  assert.ok(!existsSync(path))
  try {
    writeSync(ends.theirs, 'from child')
    assert.equal(received(ends.ours), 'from child')
  } finally {
    closeBoth(ends)
  }
})

test('openPipe() with keepName leaves the name, so a child can open the same pipe by it', async (t) => {
  const pool = new FifoPool(join(await tempDir(t), 'pipes'), { batch: 2, lowWater: 0 })
  const [path] = (await pool.take(1)) as [string]
  const ends = openPipe(path, { keepName: true })
  const child = openSync(path, constants.O_WRONLY)
  try {
    writeSync(child, 'by name')
    closeSync(child)
    writeSync(ends.theirs, ', held end')
    assert.equal(received(ends.ours), 'by name, held end')
  } finally {
    closeBoth(ends)
  }
})

test('FifoPool.release() has used names deleted with the next batch', async (t) => {
  const dir = join(await tempDir(t), 'pipes')
  const removed: string[][] = []
  const pool = new FifoPool(dir, {
    batch: 2,
    lowWater: 0,
    mkfifo: async (paths) => {
      for (const p of paths) await writeFile(p, '')
    },
    remove: async (paths) => {
      removed.push([...paths])
    },
  })
  const first = await pool.take(2)
  pool.release(first)
  assert.deepEqual(removed, [])
  const next = await pool.take(1)
  assert.deepEqual(removed, [first])
  assert.equal(next.filter((p) => first.includes(p)).length, 0)
})

test('fifoDirFor() keeps FIFOs on a tmpfs: under the root when it is one, else in a directory of its own on /dev/shm', (t) => {
  const tmpfs = (p: string): boolean => statfsSync(p).type === 0x01021994
  if (!existsSync('/dev/shm') || !tmpfs('/dev/shm') || tmpfs('/var/lib')) return t.skip('needs /dev/shm on a tmpfs and /var/lib on a disk')
  // /dev/shm itself is a tmpfs; a root not made yet counts by its nearest existing parent.
  assert.equal(fifoDirFor('/dev/shm/berth-x/runtime'), '/dev/shm/berth-x/runtime/pipes')
  const onDisk = fifoDirFor('/var/lib/berth-test/runtime')
  assert.match(onDisk, /^\/dev\/shm\/berth-pipes-[0-9a-f]{16}$/)
  assert.equal(fifoDirFor('/var/lib/berth-test/runtime'), onDisk, 'the same root, the same directory')
  assert.notEqual(fifoDirFor('/var/lib/berth-test2/runtime'), onDisk)
  // No tmpfs to go to: under the root.
  assert.equal(fifoDirFor('/var/lib/berth-test/runtime', '/var/lib'), '/var/lib/berth-test/runtime/pipes')
  // Other names (the spawn helper's files) go the same way, each to a directory of its own.
  assert.equal(scratchDirFor('/dev/shm/berth-x', 'spawn'), '/dev/shm/berth-x/spawn')
  assert.equal(scratchDirFor('/var/lib/berth-test/runtime', 'spawn'), onDisk.replace('berth-pipes-', 'berth-spawn-'))
})

test('FifoPool.close() removes the directory and its FIFOs', async (t) => {
  const dir = join(await tempDir(t), 'pipes')
  const pool = new FifoPool(dir, { batch: 2, lowWater: 0 })
  const [path] = await pool.take(1)
  assert.ok(path && statSync(path).isFIFO())
  await pool.close()
  assert.equal(existsSync(dir), false)
})
