import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { resolveUsernsRemap, setupRemappedRoot, type RemapHost, type PasswdEntry } from './userns-remap.js'

/** An in-memory host: passwd/group entries and subuid/subgid files. */
function fakeHost(files: Record<string, string>, users: PasswdEntry[], groups: PasswdEntry[]): RemapHost & { files: Record<string, string>; added: string[] } {
  const find = (list: PasswdEntry[], key: string): PasswdEntry | undefined => list.find((e) => e.name === key || String(e.id) === key)
  const added: string[] = []
  return {
    files,
    added,
    readFile: async (path) => files[path],
    appendFile: async (path, text) => {
      files[path] = (files[path] ?? '') + text
    },
    lookupUser: async (key) => find(users, key),
    lookupGroup: async (key) => find(groups, key),
    addSystemUser: async (name) => {
      added.push(name)
      users.push({ name, id: 999 })
      groups.push({ name, id: 995 })
    },
  }
}

test('resolveUsernsRemap default creates berthremap and a free range in both files', async () => {
  const host = fakeHost({ '/etc/subuid': 'alice:100000:65536\n', '/etc/subgid': 'alice:100000:65536' }, [], [])
  const remap = await resolveUsernsRemap('default', host)
  assert.deepEqual(host.added, ['berthremap'])
  assert.equal(host.files['/etc/subuid'], 'alice:100000:65536\nberthremap:165536:65536\n')
  assert.equal(host.files['/etc/subgid'], 'alice:100000:65536\nberthremap:165536:65536\n')
  assert.deepEqual(remap.root, { uid: 165536, gid: 165536 })
  assert.deepEqual(remap.mappings.uids, [{ containerId: 0, hostId: 165536, size: 65536 }])
  assert.equal(remap.user, 'berthremap')
})

test('resolveUsernsRemap default keeps an existing berthremap and its ranges', async () => {
  const host = fakeHost({ '/etc/subuid': 'berthremap:300000:1000\n', '/etc/subgid': 'berthremap:400000:1000\n' }, [{ name: 'berthremap', id: 999 }], [{ name: 'berthremap', id: 995 }])
  const remap = await resolveUsernsRemap('default', host)
  assert.deepEqual(host.added, [])
  assert.deepEqual(remap.root, { uid: 300000, gid: 400000 })
  assert.equal(host.files['/etc/subuid'], 'berthremap:300000:1000\n')
})

test('resolveUsernsRemap user:group reads the user\'s subuid and the group\'s subgid ranges', async () => {
  const host = fakeHost({ '/etc/subuid': 'bob:200000:65536\n', '/etc/subgid': 'staff:300000:65536\n' }, [{ name: 'bob', id: 1000 }], [{ name: 'staff', id: 50 }])
  const remap = await resolveUsernsRemap('1000:staff', host)
  assert.equal(remap.user, 'bob')
  assert.equal(remap.group, 'staff')
  assert.deepEqual(remap.root, { uid: 200000, gid: 300000 })
})

test('resolveUsernsRemap fails as dockerd for unknown users and missing ranges', async () => {
  const host = fakeHost({ '/etc/subuid': 'bob:200000:65536\n' }, [{ name: 'bob', id: 1000 }, { name: 'eve', id: 1001 }], [{ name: 'bob', id: 1000 }, { name: 'eve', id: 1001 }])
  await assert.rejects(resolveUsernsRemap('nobody-here', host), /Error during uid lookup for "nobody-here"/)
  await assert.rejects(resolveUsernsRemap('eve', host), /No subuid ranges found for user "eve"/)
  await assert.rejects(resolveUsernsRemap('bob', host), /No subgid ranges found for group "bob"/)
  await assert.rejects(resolveUsernsRemap('a:b:c', host), /Incorrect user namespace remap format/)
})

test('setupRemappedRoot makes <root>/<uid>.<gid> owned root:<gid> 0710 and refuses a closed parent', async (t) => {
  const base = mkdtempSync('/tmp/berth-remap-')
  t.after(() => rmSync(base, { recursive: true, force: true }))
  chmodSync(base, 0o711)
  const dir = await setupRemappedRoot(join(base, 'data'), { uid: 123456, gid: 123457 })
  assert.equal(dir, join(base, 'data', '123456.123457'))
  for (const p of [join(base, 'data'), dir]) {
    const st = statSync(p)
    assert.equal(st.gid, 123457)
    assert.equal(st.uid, 0)
    assert.equal(st.mode & 0o777, 0o710)
  }
  chmodSync(base, 0o700)
  await assert.rejects(setupRemappedRoot(join(base, 'data'), { uid: 123456, gid: 123457 }), /restricts access to the remapped root uid\/gid/)
})
