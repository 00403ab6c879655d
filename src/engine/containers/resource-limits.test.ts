import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyResourceUpdate, checkResources, defaultResources, parseCpuset } from './resource-limits.js'

const host = { ncpu: 2, blkioWeight: false, swapLimit: true }

test('checkResources() rejects limits with Docker\'s messages', () => {
  assert.equal(checkResources({ Memory: 1 << 20 }, host).error, 'Minimum memory limit allowed is 6MB')
  assert.equal(checkResources({ Memory: 64 << 20, MemorySwap: 32 << 20 }, host).error, 'Minimum memoryswap limit should be larger than memory limit, see usage')
  assert.equal(checkResources({ MemorySwap: 32 << 20 }, host).error, 'You should always set the Memory limit when using Memoryswap limit, see usage')
  assert.equal(checkResources({ NanoCpus: 3e9 }, host).error, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available')
  assert.equal(checkResources({ CpusetCpus: '0-5' }, host).error, 'Requested CPUs are not available - requested 0-5, available: 0-1')
  assert.equal(checkResources({ BlkioWeight: 5 }, host).error, 'Range of blkio weight is from 10 to 1000')
  assert.equal(checkResources({ Memory: 64 << 20, NanoCpus: 1e9, CpusetCpus: '0,1' }, host).error, undefined)
})

test('checkResources() drops what the host cannot enforce, with a warning', () => {
  const raw: Record<string, unknown> = { BlkioWeight: 300 }
  const res = checkResources(raw, host)
  assert.equal(res.error, undefined)
  assert.match(res.warnings[0] ?? '', /Block I\/O weight/)
  assert.equal(raw.BlkioWeight, 0)
  assert.match(checkResources({ OomKillDisable: true }, host).warnings[0] ?? '', /OOM killer is disabled/)
})

test('defaultResources() sets the swap limit to twice the memory limit', () => {
  const raw: Record<string, unknown> = { Memory: 10 << 20 }
  defaultResources(raw)
  assert.equal(raw.MemorySwap, 20 << 20)
})

test('applyResourceUpdate() changes only the non-zero fields and guards the swap limit', () => {
  const { raw } = applyResourceUpdate({ Memory: 64 << 20, MemorySwap: 128 << 20, CpuShares: 512 }, { Memory: 96 << 20, CpuShares: 0 })
  assert.deepEqual([raw.Memory, raw.MemorySwap, raw.CpuShares], [96 << 20, 128 << 20, 512])
  assert.match(applyResourceUpdate({ Memory: 64 << 20, MemorySwap: 128 << 20 }, { Memory: 256 << 20 }).error ?? '', /update the memoryswap at the same time/)
  assert.equal(applyResourceUpdate({ CpuPeriod: 50000, CpuQuota: 25000 }, { NanoCpus: 1e9 }).raw.CpuQuota, 0)
})

test('parseCpuset() reads lists and ranges', () => {
  assert.deepEqual(parseCpuset('0-2,4'), [0, 1, 2, 4])
  assert.equal(parseCpuset('a'), undefined)
  assert.equal(parseCpuset('3-1'), undefined)
})
