import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BERTHD_SHEBANG, restoreExtraCaCerts } from './start-env.js'

test('restoreExtraCaCerts gives NODE_EXTRA_CA_CERTS back and drops BERTH_EXTRA_CA_CERTS', () => {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin', BERTH_EXTRA_CA_CERTS: '/etc/extra ca.pem' }
  restoreExtraCaCerts(env)
  assert.deepEqual(env, { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/extra ca.pem' })
})

test('restoreExtraCaCerts sets nothing when NODE_EXTRA_CA_CERTS was unset (the shebang passed "")', () => {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin', BERTH_EXTRA_CA_CERTS: '' }
  restoreExtraCaCerts(env)
  assert.deepEqual(env, { PATH: '/usr/bin' })
})

test('restoreExtraCaCerts keeps a NODE_EXTRA_CA_CERTS node was started with (berthd run without its shebang)', () => {
  const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/a.pem' }
  restoreExtraCaCerts(env)
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: '/a.pem' })
})

test('BERTHD_SHEBANG starts node without NODE_EXTRA_CA_CERTS and hands its value on as BERTH_EXTRA_CA_CERTS', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-shebang-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const script = join(dir, 'show-env')
  writeFileSync(script, `${BERTHD_SHEBANG}\nconst e = process.env; console.log(JSON.stringify([e.NODE_EXTRA_CA_CERTS ?? null, e.BERTH_EXTRA_CA_CERTS ?? null, !!e.GLIBC_TUNABLES]))\n`)
  chmodSync(script, 0o755)
  const show = (extra: NodeJS.ProcessEnv): unknown => {
    const env = { ...process.env, ...extra }
    if (extra.NODE_EXTRA_CA_CERTS === undefined) delete env.NODE_EXTRA_CA_CERTS
    const r = spawnSync(script, { env, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    return JSON.parse(r.stdout)
  }
  assert.deepEqual(show({ NODE_EXTRA_CA_CERTS: '/etc/some ca.pem' }), [null, '/etc/some ca.pem', true])
  assert.deepEqual(show({}), [null, '', true])
})
