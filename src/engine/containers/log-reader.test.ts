import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatTimestampNs, LogAssembler, parseLogLine, parseTimestampNs, readLogBatches, readLogs, type ReadLogsOptions } from './log-reader.js'
import type { LogEntry } from './types.js'

const sample = [
  '2024-01-02T03:04:05.000000001+00:00 stdout F hello',
  '2024-01-02T03:04:06.000000000+00:00 stderr F oops',
  '2024-01-02T03:04:07.5+00:00 stdout P part one ',
  '2024-01-02T03:04:07.600000000+00:00 stderr F interleaved',
  '2024-01-02T03:04:08.000000000+00:00 stdout F and two',
  '2024-01-02T03:04:09.000000000+00:00 stdout F ',
  'garbage line',
  '2024-01-02T03:04:10.000000000Z stdout F last',
].join('\n') + '\n'

const base = { stdout: true, stderr: true, follow: false } satisfies ReadLogsOptions

async function withLog(content: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logs-'))
  try {
    const path = join(dir, 'container.log')
    await writeFile(path, content)
    await fn(path)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function collect(path: string, opts: ReadLogsOptions): Promise<LogEntry[]> {
  const out: LogEntry[] = []
  for await (const e of readLogs(path, opts)) out.push(e)
  return out
}

const text = (entries: LogEntry[]): string[] => entries.map((e) => `${e.stream}:${e.line.toString()}`)

test('parseTimestampNs() and formatTimestampNs() keep nanoseconds and normalize to UTC', () => {
  const ns = parseTimestampNs('2024-01-02T03:04:05.123456789+01:00')
  assert.equal(ns, BigInt(Date.UTC(2024, 0, 2, 2, 4, 5)) * 1_000_000n + 123456789n)
  assert.equal(formatTimestampNs(ns as bigint), '2024-01-02T02:04:05.123456789Z')
  assert.equal(parseTimestampNs('yesterday'), undefined)
})

test('parseLogLine() splits time, stream, tag and text, keeping spaces in the text', () => {
  const c = parseLogLine(Buffer.from('2024-01-02T03:04:05.000000001+00:00 stderr P  a b '))
  assert.equal(c?.stream, 'stderr')
  assert.equal(c?.partial, true)
  assert.equal(c?.text.toString(), ' a b ')
  assert.equal(parseLogLine(Buffer.from('2024-01-02T03:04:05Z stdout F'))?.text.toString(), '')
  assert.equal(parseLogLine(Buffer.from('2024-01-02T03:04:05Z other F x')), undefined)
})

test('LogAssembler joins P chunks with the same stream\'s next F and keeps the first time', () => {
  const a = new LogAssembler()
  const chunk = (t: string, stream: 'stdout' | 'stderr', partial: boolean, s: string) =>
    ({ timeNs: parseTimestampNs(t) as bigint, stream, partial, text: Buffer.from(s) })
  assert.equal(a.push(chunk('2024-01-01T00:00:01Z', 'stdout', true, 'ab')), undefined)
  const other = a.push(chunk('2024-01-01T00:00:02Z', 'stderr', false, 'err'))
  assert.equal(other?.line.toString(), 'err\n')
  const joined = a.push(chunk('2024-01-01T00:00:03Z', 'stdout', false, 'cd'))
  assert.equal(joined?.line.toString(), 'abcd\n')
  assert.equal(joined?.time, '2024-01-01T00:00:01.000000000Z')
  a.push(chunk('2024-01-01T00:00:04Z', 'stdout', true, 'prompt$ '))
  assert.deepEqual(a.flush().map((e) => e.line.toString()), ['prompt$ '])
})

test('readLogs() returns every entry with stdout/stderr filters', async () => {
  await withLog(sample, async (path) => {
    assert.deepEqual(text(await collect(path, base)), [
      'stdout:hello\n', 'stderr:oops\n', 'stderr:interleaved\n', 'stdout:part one and two\n', 'stdout:\n', 'stdout:last\n',
    ])
    assert.deepEqual(text(await collect(path, { ...base, stdout: false })), ['stderr:oops\n', 'stderr:interleaved\n'])
    assert.deepEqual(text(await collect(path, { ...base, stderr: false })).length, 4)
  })
})

test('readLogs() applies tail before since/until, counting both streams', async () => {
  await withLog(sample, async (path) => {
    assert.deepEqual(text(await collect(path, { ...base, tail: 2 })), ['stdout:\n', 'stdout:last\n'])
    assert.deepEqual(text(await collect(path, { ...base, tail: 3, stdout: false })), [])
    assert.deepEqual(await collect(path, { ...base, tail: 0 }), [])
    assert.equal((await collect(path, { ...base, tail: 'all' })).length, 6)
    const since = Date.UTC(2024, 0, 2, 3, 4, 7) / 1000
    assert.deepEqual(text(await collect(path, { ...base, since, until: since + 1.5 })), ['stderr:interleaved\n', 'stdout:part one and two\n'])
  })
})

test('readLogs() returns nothing for a missing file', async () => {
  assert.deepEqual(await collect('/nonexistent/berth/container.log', base), [])
})

test('readLogs() follows appended lines until isDone settles', async () => {
  await withLog('2024-01-01T00:00:00Z stdout F first\n', async (path) => {
    let finish!: () => void
    const isDone = new Promise<void>((r) => (finish = r))
    const it = readLogs(path, { ...base, follow: true, isDone, pollMs: 20 })[Symbol.asyncIterator]()
    try {
      assert.equal((await it.next()).value?.line.toString(), 'first\n')
      await appendFile(path, '2024-01-01T00:00:01Z stdout P second-\n2024-01-01T00:00:01Z stdout F half\n')
      assert.equal((await it.next()).value?.line.toString(), 'second-half\n')
      await appendFile(path, '2024-01-01T00:00:02Z stderr F bye\n')
      finish()
      const rest: string[] = []
      for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.line.toString())
      assert.deepEqual(rest, ['bye\n'])
    } finally {
      finish()
      await it.return?.(undefined)
    }
  })
})

test('readLogs() follow survives rotation by rename and truncation', async () => {
  await withLog('', async (path) => {
    const ac = new AbortController()
    const it = readLogs(path, { ...base, follow: true, signal: ac.signal, pollMs: 20 })[Symbol.asyncIterator]()
    try {
      await appendFile(path, '2024-01-01T00:00:00Z stdout F old\n')
      assert.equal((await it.next()).value?.line.toString(), 'old\n')
      await writeFile(`${path}.tmp`, '2024-01-01T00:00:01Z stdout F rotated, and long enough to be longer\n')
      await rename(`${path}.tmp`, path)
      assert.equal((await it.next()).value?.line.toString(), 'rotated, and long enough to be longer\n')
      // Truncation is seen as the file becoming shorter than what was read.
      await truncate(path, 0)
      await appendFile(path, '2024-01-01T00:00:02Z stdout F short\n')
      assert.equal((await it.next()).value?.line.toString(), 'short\n')
      ac.abort()
      assert.equal((await it.next()).done, true)
    } finally {
      ac.abort()
      await it.return?.(undefined)
    }
  })
})

test('readLogs() follow ends when the signal aborts', async () => {
  await withLog('2024-01-01T00:00:00Z stdout F one\n', async (path) => {
    const ac = new AbortController()
    const seen: string[] = []
    const reading = (async () => {
      for await (const e of readLogs(path, { ...base, follow: true, signal: ac.signal, pollMs: 20 })) {
        seen.push(e.line.toString())
        ac.abort()
      }
    })()
    await reading
    assert.deepEqual(seen, ['one\n'])
  })
})

const line = (sec: number, stream: 'stdout' | 'stderr', tag: 'F' | 'P', s: string): string =>
  `2024-01-01T00:00:${String(sec).padStart(2, '0')}.000000000+00:00 ${stream} ${tag} ${s}\n`

test('readLogs() reads the rotated files oldest first, then the live file, joining a line split across them', async () => {
  await withLog(line(5, 'stdout', 'P', 'split-') + line(5, 'stdout', 'F', 'line') + line(6, 'stderr', 'F', 'live'), async (path) => {
    await writeFile(`${path}.2`, line(1, 'stdout', 'F', 'one') + line(2, 'stderr', 'F', 'two'))
    await writeFile(`${path}.1`, line(3, 'stdout', 'F', 'three') + line(4, 'stdout', 'F', 'four'))
    // Not rotated files: conmon's reopen temp file and berth's link to the live file.
    await writeFile(`${path}.tmp`, line(9, 'stdout', 'F', 'tmp'))
    await writeFile(`${path}.keep`, line(9, 'stdout', 'F', 'keep'))
    assert.deepEqual(text(await collect(path, base)), [
      'stdout:one\n', 'stderr:two\n', 'stdout:three\n', 'stdout:four\n', 'stdout:split-line\n', 'stderr:live\n',
    ])
    assert.deepEqual(text(await collect(path, { ...base, tail: 3 })), ['stdout:four\n', 'stdout:split-line\n', 'stderr:live\n'])
    const t0 = Date.UTC(2024, 0, 1) / 1000
    assert.deepEqual(text(await collect(path, { ...base, since: t0 + 2, until: t0 + 3.5 })), ['stderr:two\n', 'stdout:three\n'])
    assert.deepEqual(text(await collect(path, { ...base, stdout: false })), ['stderr:two\n', 'stderr:live\n'])
  })
})

test('readLogs() reads rotated files when the live file is missing', async () => {
  await withLog('', async (path) => {
    await rm(path)
    await writeFile(`${path}.1`, line(1, 'stdout', 'F', 'only rotated'))
    assert.deepEqual(text(await collect(path, base)), ['stdout:only rotated\n'])
  })
})

test('readLogs() follow continues across several rotations between two polls without loss or repeats', { timeout: 10_000 }, async () => {
  await withLog(line(1, 'stdout', 'F', 'a1'), async (path) => {
    const ac = new AbortController()
    // A long poll interval, and no file events reach it before the rotations are done.
    const it = readLogs(path, { ...base, follow: true, signal: ac.signal, pollMs: 200 })[Symbol.asyncIterator]()
    try {
      assert.equal((await it.next()).value?.line.toString(), 'a1\n')
      // Three rotations (conmon style: the old file keeps its inode under the new name).
      await appendFile(path, line(2, 'stdout', 'F', 'a2') + line(2, 'stdout', 'F', 'a3'))
      await rename(path, `${path}.1`)
      await writeFile(path, line(2, 'stdout', 'F', 'b1') + line(3, 'stderr', 'F', 'b2'))
      await rename(`${path}.1`, `${path}.2`)
      await rename(path, `${path}.1`)
      await writeFile(path, line(4, 'stdout', 'F', 'c1'))
      await rename(`${path}.2`, `${path}.3`)
      await rename(`${path}.1`, `${path}.2`)
      await rename(path, `${path}.1`)
      await writeFile(path, line(5, 'stdout', 'F', 'd1'))
      const seen: string[] = []
      while (seen.length < 6) seen.push(((await it.next()).value as LogEntry).line.toString())
      assert.deepEqual(seen, ['a2\n', 'a3\n', 'b1\n', 'b2\n', 'c1\n', 'd1\n'])
      ac.abort()
      assert.equal((await it.next()).done, true)
    } finally {
      ac.abort()
      await it.return?.(undefined)
    }
  })
})

test('readLogs() follow resumes in the pieces of a file split by rotation, after lines sharing one time', { timeout: 10_000 }, async () => {
  await withLog(line(1, 'stdout', 'F', 'x1') + line(2, 'stdout', 'F', 'x2'), async (path) => {
    const ac = new AbortController()
    const it = readLogs(path, { ...base, follow: true, signal: ac.signal, pollMs: 200 })[Symbol.asyncIterator]()
    try {
      assert.equal((await it.next()).value?.line.toString(), 'x1\n')
      assert.equal((await it.next()).value?.line.toString(), 'x2\n')
      // The live file is cut into pieces (new inodes); the lines after x2 share its time.
      await rm(path)
      await writeFile(`${path}.2`, line(1, 'stdout', 'F', 'x1'))
      await writeFile(`${path}.1`, line(2, 'stdout', 'F', 'x2') + line(2, 'stdout', 'F', 'x3') + line(3, 'stderr', 'F', 'x4'))
      await writeFile(path, line(4, 'stdout', 'F', 'x5'))
      const seen: string[] = []
      while (seen.length < 3) seen.push(((await it.next()).value as LogEntry).line.toString())
      assert.deepEqual(seen, ['x3\n', 'x4\n', 'x5\n'])
    } finally {
      ac.abort()
      await it.return?.(undefined)
    }
  })
})

test('parseTimestampNs() fast path agrees with the general form and rejects bad digits and dates', () => {
  const a = parseTimestampNs('2024-01-02T03:04:05.000000007-02:30')
  assert.equal(a, BigInt(Date.UTC(2024, 0, 2, 5, 34, 5)) * 1_000_000n + 7n)
  assert.equal(parseTimestampNs('2024-01-02T03:04:05.00000000x+00:00'), undefined)
  assert.equal(parseTimestampNs('2024-13-02T03:04:05.000000000+00:00'), undefined)
  // The same bytes twice (the parse cache) and then a different second.
  assert.equal(parseTimestampNs('2024-01-02T03:04:06.5Z'), BigInt(Date.UTC(2024, 0, 2, 3, 4, 6)) * 1_000_000n + 500_000_000n)
})

test('readLogBatches() reads a log larger than one read in several batches, whole lines in order, tail bounded', async () => {
  const lines: string[] = []
  // ~3.5 MiB: several 1 MiB reads, with lines cut across read boundaries; 64 lines share each time.
  for (let i = 0; i < 40_000; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 64)).toISOString().replace('Z', '123456+00:00')
    lines.push(`${t} ${i % 3 === 0 ? 'stderr' : 'stdout'} F line ${i} ${'x'.repeat(i % 120)}`)
  }
  await withLog(lines.join('\n') + '\n', async (path) => {
    let batches = 0
    const got: string[] = []
    for await (const batch of readLogBatches(path, base)) {
      batches++
      assert.ok(batch.length > 0)
      for (const e of batch) got.push(e.line.toString())
    }
    assert.ok(batches >= 3, `expected several batches, got ${batches}`)
    assert.equal(got.length, 40_000)
    assert.equal(got[0], 'line 0 \n')
    assert.equal(got[39_999], `line 39999 ${'x'.repeat(39_999 % 120)}\n`)
    const tail = await collect(path, { ...base, tail: 5, stderr: false })
    // tail counts both streams before the stream filter, as Docker's.
    assert.deepEqual(tail.map((e) => e.line.toString().split(' ')[1]), ['39995', '39997', '39998'])
  })
})
