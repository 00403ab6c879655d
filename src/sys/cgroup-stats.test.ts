import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseBlkioV1, parseIoStatV2, parseKeyValueLines, parseProcStatCpu, readCgroupStats } from './cgroup-stats.js'
import { detectCgroups } from './cgroups.js'

test('parseBlkioV1() reads device lines and skips the total', () => {
  assert.deepEqual(parseBlkioV1('8:0 Read 4096\n8:0 Write 512\nTotal 4608\n'), [
    { major: 8, minor: 0, op: 'Read', value: 4096 },
    { major: 8, minor: 0, op: 'Write', value: 512 },
  ])
})

test('parseIoStatV2() turns io.stat into read/write entries', () => {
  const { serviceBytes, serviced } = parseIoStatV2('259:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n')
  assert.deepEqual(serviceBytes.map((e) => [e.op, e.value]), [['read', 100], ['write', 200]])
  assert.deepEqual(serviced.map((e) => [e.op, e.value]), [['read', 1], ['write', 2]])
})

test('parseKeyValueLines() and parseProcStatCpu() read counters', () => {
  assert.deepEqual(parseKeyValueLines('cache 4096\nrss 8192\n'), { cache: 4096, rss: 8192 })
  assert.equal(parseProcStatCpu('cpu  10 0 5 85 0 0 0 0 0 0\ncpu0 1 2 3\n'), 100 * 1e7)
})

test('readCgroupStats() reads the root cgroup of this host', { skip: process.platform !== 'linux' }, async () => {
  const stats = await readCgroupStats('/', await detectCgroups())
  assert.ok(stats.systemCpuNs > 0)
  assert.ok(stats.onlineCpus >= 1)
  assert.ok(stats.memory.usage >= 0)
})
