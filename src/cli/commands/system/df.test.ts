import { test } from 'node:test'
import assert from 'node:assert/strict'
import { diskUsageRows } from './df.js'

test('diskUsageRows() sums sizes and reclaimable space like docker system df', () => {
  const rows = diskUsageRows({
    LayersSize: 2_000_000,
    Images: [{ Size: 1_500_000, SharedSize: 0, Containers: 1 }, { Size: 500_000, SharedSize: 0, Containers: 0 }],
    Containers: [{ State: 'running', SizeRw: 100 }, { State: 'exited', SizeRw: 102_400 }],
    Volumes: [],
    BuildCache: [],
  })
  assert.deepEqual(rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]), [
    ['Images', '2', '1', '2MB', '500kB (25%)'],
    ['Containers', '2', '1', '102.5kB', '102.4kB (99%)'],
    ['Local Volumes', '0', '0', '0B', '0B'],
    ['Build Cache', '0', '0', '0B', '0B'],
  ])
})
