import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONMON_CTL_READ_SIZE, conmonCtlMessage, resizeMessage, writeConmonFifo } from './conmon-ctl.js'

test('resizeMessage pads "<rows> <cols>" to exactly conmon\'s read size, ending in one newline', () => {
  const m = resizeMessage(40, 120.7)
  assert.equal(m.length, CONMON_CTL_READ_SIZE)
  assert.match(m, /^40 120 +\n$/)
  assert.equal(m.indexOf('\n'), CONMON_CTL_READ_SIZE - 1)
  assert.match(conmonCtlMessage([2, 0, 0]), /^2 0 0 +\n$/)
})

test('writeConmonFifo: messages written back to back come out one per read of conmon\'s size', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conmon-ctl-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const fifo = join(dir, 'winsz')
  execFileSync('mkfifo', [fifo])
  await assert.rejects(writeConmonFifo(fifo, resizeMessage(1, 1)), /ENXIO/)
  const reader = await open(fifo, 'r+')
  t.after(() => reader.close())
  await writeConmonFifo(fifo, resizeMessage(31, 101))
  await writeConmonFifo(fifo, resizeMessage(30, 100))
  const buf = Buffer.alloc(CONMON_CTL_READ_SIZE)
  const first = await reader.read(buf, 0, CONMON_CTL_READ_SIZE)
  assert.match(buf.subarray(0, first.bytesRead).toString(), /^31 101 +\n$/)
  const second = await reader.read(buf, 0, CONMON_CTL_READ_SIZE)
  assert.match(buf.subarray(0, second.bytesRead).toString(), /^30 100 +\n$/)
})
