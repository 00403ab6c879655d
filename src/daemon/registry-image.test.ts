import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { findRegistryBundle, parseLdd } from './registry-image.js'

test('parseLdd keeps the absolute paths of libraries and the loader, not the vDSO', () => {
  const out = [
    '\tlinux-vdso.so.1 (0x00007ffd4b9e2000)',
    '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f3e18b1a000)',
    '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f3e18800000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f3e18b32000)',
    '',
  ].join('\n')
  assert.deepEqual(parseLdd(out), ['/lib/x86_64-linux-gnu/libdl.so.2', '/lib/x86_64-linux-gnu/libstdc++.so.6', '/lib64/ld-linux-x86-64.so.2'])
})

test('findRegistryBundle looks beside the bundle, then in the repository bin/, and honours the override', (t) => {
  const repo = mkdtempSync('/tmp/berth-registry-image-test-')
  t.after(() => rmSync(repo, { recursive: true, force: true }))
  mkdirSync(join(repo, 'bin'))
  mkdirSync(join(repo, 'dist/src/daemon'), { recursive: true })
  writeFileSync(join(repo, 'bin/berth-registry'), '')
  assert.equal(findRegistryBundle(join(repo, 'bin/berthd'), {}), join(repo, 'bin/berth-registry'))
  assert.equal(findRegistryBundle(join(repo, 'dist/src/daemon/main.js'), {}), join(repo, 'bin/berth-registry'))
  assert.equal(findRegistryBundle(join(repo, 'elsewhere/berthd'), { BERTH_REGISTRY_BUNDLE: join(repo, 'bin/berth-registry') }), join(repo, 'bin/berth-registry'))
  assert.equal(findRegistryBundle(join(repo, 'elsewhere/berthd'), {}), undefined)
})
