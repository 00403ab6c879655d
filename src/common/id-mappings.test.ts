import { test } from 'node:test'
import assert from 'node:assert/strict'
import { allSubIdRanges, freeSubIdStart, mappingsFromRanges, parseSubIds, remappedRoot, shiftOwner, toContainerId, toHostId } from './id-mappings.js'

const subuid = `# comment
alice:100000:65536
bob:165536:65536
1001:300000:1000
alice:500000:10
broken:line
carol:x:5
`

test('parseSubIds returns the ranges of a name or its numeric id, in file order', () => {
  assert.deepEqual(parseSubIds(subuid, 'alice'), [{ start: 100000, count: 65536 }, { start: 500000, count: 10 }])
  assert.deepEqual(parseSubIds(subuid, 'dave', 1001), [{ start: 300000, count: 1000 }])
  assert.deepEqual(parseSubIds(subuid, 'carol'), [])
  assert.deepEqual(parseSubIds('', 'alice'), [])
})

test('mappingsFromRanges lays ranges end to end from container id 0, lowest host start first', () => {
  assert.deepEqual(mappingsFromRanges([{ start: 500000, count: 10 }, { start: 100000, count: 65536 }]), [
    { containerId: 0, hostId: 100000, size: 65536 },
    { containerId: 65536, hostId: 500000, size: 10 },
  ])
})

test('toHostId and toContainerId translate inside the mappings and give undefined outside', () => {
  const maps = mappingsFromRanges([{ start: 100000, count: 65536 }, { start: 500000, count: 10 }])
  assert.equal(toHostId(maps, 0), 100000)
  assert.equal(toHostId(maps, 65537), 500001)
  assert.equal(toHostId(maps, 65546), undefined)
  assert.equal(toContainerId(maps, 100005), 5)
  assert.equal(toContainerId(maps, 99999), undefined)
})

test('remappedRoot and shiftOwner map root and fall back to the remapped root for unmapped ids', () => {
  const mappings = { uids: mappingsFromRanges([{ start: 100000, count: 65536 }]), gids: mappingsFromRanges([{ start: 200000, count: 65536 }]) }
  assert.deepEqual(remappedRoot(mappings), { uid: 100000, gid: 200000 })
  assert.deepEqual(shiftOwner(mappings, 1000, 50), { uid: 101000, gid: 200050 })
  assert.deepEqual(shiftOwner(mappings, 70000, 70000), { uid: 100000, gid: 200000 })
  assert.throws(() => remappedRoot({ uids: [], gids: [] }), /do not map container root/)
})

test('freeSubIdStart finds the first gap at or above 100000 that fits', () => {
  assert.equal(freeSubIdStart([], 65536), 100000)
  assert.equal(freeSubIdStart(allSubIdRanges(subuid), 65536), 231072)
  assert.equal(freeSubIdStart(allSubIdRanges(subuid), 100000), 301000)
  assert.equal(freeSubIdStart(allSubIdRanges(subuid), 250000), 500010)
  assert.equal(freeSubIdStart([{ start: 300000, count: 10 }], 65536), 100000)
  assert.equal(freeSubIdStart([{ start: 150000, count: 10 }], 65536), 150010)
})
