import { test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, openSync, renameSync, writeSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../common/index.js'
import { readLogs } from './log-reader.js'
import { checkLogRotation, LogRotation, rotatedLogFiles, type RotationTarget } from './log-rotation.js'

/**
 * Writes k8s-file lines the way conmon 2.1.6 does: one O_APPEND fd; reopen() opens <log>.tmp
 * truncated and renames it over the log (what the "2" ctl message and --log-size-max both do).
 */
class ConmonLikeWriter {
  private fd: number
  private n = 0

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600)
  }

  /** Appends numbered lines; returns their numbers. */
  write(count: number): number[] {
    const out: number[] = []
    let text = ''
    for (let i = 0; i < count; i++) {
      this.n++
      out.push(this.n)
      const ns = String(this.n).padStart(9, '0')
      text += `2024-01-01T00:00:00.${ns}+00:00 stdout F line ${this.n}\n`
    }
    writeSync(this.fd, text)
    return out
  }

  reopen(): void {
    closeSync(this.fd)
    this.fd = openSync(`${this.path}.tmp`, 'w', 0o600)
    renameSync(`${this.path}.tmp`, this.path)
  }

  close(): void {
    closeSync(this.fd)
  }
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-rotation-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function loggedNumbers(path: string): Promise<number[]> {
  const out: number[] = []
  for await (const e of readLogs(path, { stdout: true, stderr: true, follow: false })) out.push(Number(e.line.toString().split(' ')[1]))
  return out
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

test('checkLogRotation() rotates at max-size, shifts .1 -> .2 and drops what exceeds max-file', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'container.log')
    const w = new ConmonLikeWriter(path)
    try {
      w.write(1)
      const lineBytes = (await stat(path)).size
      const t: RotationTarget = { containerId: 'c1', logPath: path, maxSize: lineBytes * 10, maxFile: 3 }
      const reopen = async () => w.reopen()
      assert.equal(await checkLogRotation(t, reopen), 'none')
      for (let round = 0; round < 4; round++) {
        w.write(10)
        assert.equal(await checkLogRotation(t, reopen), 'rotated')
        assert.equal((await stat(path)).size, 0)
      }
      w.write(3)
      assert.deepEqual((await rotatedLogFiles(path)).map((f) => f.n), [2, 1])
      // 41 lines written; 2 rotated files of 10 lines each plus the 3 live ones are kept, with no gap.
      assert.deepEqual(await loggedNumbers(path), range(22, 44))
    } finally {
      w.close()
    }
  })
})

test('checkLogRotation() cuts a file far above max-size into max-size pieces, keeping the newest', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'container.log')
    const w = new ConmonLikeWriter(path)
    try {
      w.write(1000)
      const lineBytes = Math.round((await stat(path)).size / 1000)
      const t: RotationTarget = { containerId: 'c1', logPath: path, maxSize: lineBytes * 20, maxFile: 3 }
      assert.equal(await checkLogRotation(t, async () => w.reopen()), 'rotated')
      w.write(5)
      const files = await rotatedLogFiles(path)
      assert.deepEqual(files.map((f) => f.n), [2, 1])
      for (const f of files) assert.ok((await stat(f.path)).size <= t.maxSize)
      const numbers = await loggedNumbers(path)
      assert.deepEqual(numbers, range(numbers[0] as number, 1005))
      assert.ok(numbers.length >= 35 && numbers.length <= 45, String(numbers.length))
      assert.deepEqual((await readdir(dir)).filter((n) => n.includes('split')), [])
    } finally {
      w.close()
    }
  })
})

test('checkLogRotation() keeps the file the writer replaced by itself and rotates it', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'container.log')
    const w = new ConmonLikeWriter(path)
    try {
      const t: RotationTarget = { containerId: 'c1', logPath: path, maxSize: 1_000_000, maxFile: 2 }
      w.write(5)
      assert.equal(await checkLogRotation(t, async () => assert.fail('no reopen below max-size')), 'none')
      w.write(5)
      // conmon's --log-size-max: the live file is replaced without berthd asking.
      w.reopen()
      w.write(3)
      assert.equal(await checkLogRotation(t, async () => assert.fail('no reopen below max-size')), 'recovered')
      assert.deepEqual(await loggedNumbers(path), range(1, 13))
    } finally {
      w.close()
    }
  })
})

test('checkLogRotation() with max-file 1 drops the finished file', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'container.log')
    const w = new ConmonLikeWriter(path)
    try {
      w.write(20)
      const t: RotationTarget = { containerId: 'c1', logPath: path, maxSize: 100, maxFile: 1 }
      assert.equal(await checkLogRotation(t, async () => w.reopen()), 'rotated')
      w.write(2)
      assert.deepEqual(await rotatedLogFiles(path), [])
      assert.deepEqual(await loggedNumbers(path), [21, 22])
    } finally {
      w.close()
    }
  })
})

test('checkLogRotation() reports stale when the writer does not reopen (it exited)', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'container.log')
    const w = new ConmonLikeWriter(path)
    try {
      w.write(20)
      const t: RotationTarget = { containerId: 'c1', logPath: path, maxSize: 100, maxFile: 3 }
      assert.equal(await checkLogRotation(t, async () => undefined, 50), 'stale')
      assert.deepEqual(await rotatedLogFiles(path), [])
      assert.deepEqual(await loggedNumbers(path), range(1, 20))
    } finally {
      w.close()
    }
  })
})

test('LogRotation.start() checks at once and then on its interval until stop()', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'container.log')
    const w = new ConmonLikeWriter(path)
    const reopened: string[] = []
    const rotation = new LogRotation({
      reopenLog: async (id) => {
        reopened.push(id)
        w.reopen()
      },
      logger: silentLogger,
      intervalMs: 10,
    })
    try {
      w.write(50)
      await rotation.start({ containerId: 'c1', logPath: path, maxSize: 200, maxFile: 4 })
      assert.deepEqual(reopened, ['c1'])
      w.write(50)
      for (let i = 0; i < 200 && reopened.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
      assert.deepEqual(reopened, ['c1', 'c1'])
      await rotation.stop('c1')
      w.write(50)
      await new Promise((r) => setTimeout(r, 50))
      assert.deepEqual(reopened, ['c1', 'c1'])
      assert.equal((await readFile(path, 'utf8')).split('\n').length, 51)
    } finally {
      await rotation.close()
      w.close()
    }
  })
})
