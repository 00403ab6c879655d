import { test } from 'node:test'
import assert from 'node:assert/strict'
import { statsEntry } from './stats-context.js'
import { bytesSize } from '../../format/index.js'

test('bytesSize() uses binary units with four significant digits', () => {
  assert.equal(bytesSize(0), '0B')
  assert.equal(bytesSize(1536 * 1024), '1.5MiB')
  assert.equal(bytesSize(64 * 1024 * 1024), '64MiB')
})

test('statsEntry() computes CPU % from the deltas and memory less inactive file cache', () => {
  const e = statsEntry('c', {
    name: '/web', id: 'abc',
    cpu_stats: { cpu_usage: { total_usage: 2_000 }, system_cpu_usage: 10_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1_000 }, system_cpu_usage: 6_000 },
    memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 200 } },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 10 }, { op: 'Write', value: 20 }, { op: 'Total', value: 30 }] },
    pids_stats: { current: 3 },
  })
  assert.equal(e.cpuPercent, 50)
  assert.equal(e.memory, 800)
  assert.equal(e.memoryPercent, 20)
  assert.deepEqual([e.blockRead, e.blockWrite, e.pids, e.name], [10, 20, 3, 'web'])
})
