import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../../common/index.js'
import type { EngineClient, Volume } from '../../../client/index.js'
import { runCli } from '../../cli.js'
import { fakeEngineClient, memoryIo } from '../../testing/fake-engine-client.js'

async function berth(argv: string[], responses: Parameters<typeof fakeEngineClient>[0] = {}, stdin?: string) {
  const { client, calls } = fakeEngineClient(responses)
  const { io, stdout, stderr } = memoryIo({ stdin })
  const code = await runCli(argv, io, { makeClient: (): EngineClient => client })
  return { code, stdout: stdout(), stderr: stderr(), calls }
}

const vol = (name: string, labels: Record<string, string> | null = null): Volume => ({
  Name: name, Driver: 'local', Mountpoint: `/var/lib/berth/volumes/${name}/_data`, CreatedAt: '2026-01-01T00:00:00Z', Labels: labels, Scope: 'local', Options: null,
})

test('berth volume create sends name, labels and options and prints the name', async () => {
  const r = await berth(['volume', 'create', '--label', 'a=b', '-o', 'type=tmpfs', '--opt', 'device=tmpfs', 'data'], { volumeCreate: () => vol('data') })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'data\n')
  assert.deepEqual(r.calls[0]?.args, [{ Name: 'data', Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs' }, Labels: { a: 'b' } }])
})

test('berth volume ls prints docker\'s table sorted by name, -q and --format', async () => {
  const list = () => ({ Volumes: [vol('zeta'), vol('alpha', { tier: 'db' })], Warnings: null })
  assert.equal((await berth(['volume', 'ls'], { volumeList: list })).stdout, 'DRIVER    VOLUME NAME\nlocal     alpha\nlocal     zeta\n')
  assert.equal((await berth(['volume', 'ls', '-q'], { volumeList: list })).stdout, 'alpha\nzeta\n')
  const r = await berth(['volume', 'ls', '--format', '{{.Name}}:{{.Labels}}:{{.Label "tier"}}', '-f', 'dangling=true'], { volumeList: list })
  assert.equal(r.stdout, 'alpha:tier=db:db\nzeta::\n')
  assert.deepEqual(r.calls[0]?.args, [{ filters: { dangling: ['true'] } }])
  const json = (await berth(['volume', 'ls', '--format', 'json'], { volumeList: list })).stdout.split('\n')[0]
  assert.equal(json, '{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"tier=db","Links":"N/A","Mountpoint":"/var/lib/berth/volumes/alpha/_data","Name":"alpha","Scope":"local","Size":"N/A","Status":"N/A"}')
})

test('berth volume rm reports each failure and exits 1', async () => {
  const r = await berth(['volume', 'rm', 'a', 'b'], {
    volumeRemove: (name: string) => {
      if (name === 'b') throw new EngineError('Conflict', 'VOLUME_IN_USE', 'remove b: volume is in use - [abc]')
    },
  })
  assert.equal(r.code, 1)
  assert.equal(r.stdout, 'a\n')
  assert.match(r.stderr, /remove b: volume is in use - \[abc\]/)
})

test('berth volume prune asks first, and -a -f prunes all unused volumes', async () => {
  const prune = () => ({ VolumesDeleted: ['old'], SpaceReclaimed: 2048 })
  const declined = await berth(['volume', 'prune'], { volumePrune: prune }, 'n\n')
  assert.equal(declined.stdout, 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ')
  assert.equal(declined.calls.length, 0)
  const r = await berth(['volume', 'prune', '-a', '-f'], { volumePrune: prune })
  assert.equal(r.stdout, 'Deleted Volumes:\nold\n\nTotal reclaimed space: 2.048kB\n')
  assert.deepEqual(r.calls[0]?.args, [{ filters: { all: ['true'] } }])
})

test('berth run --mount and --volumes-from fill HostConfig.Mounts and VolumesFrom', async () => {
  const r = await berth(['create', '--mount', 'type=bind,src=/a,dst=/b,ro', '--volumes-from', 'db:ro', 'busybox'], { containerCreate: () => ({ Id: 'f'.repeat(64), Warnings: [] }) })
  assert.equal(r.code, 0, r.stderr)
  const body = r.calls.find((c) => c.method === 'containerCreate')?.args[0] as { HostConfig: Record<string, unknown> }
  assert.deepEqual(body.HostConfig['Mounts'], [{ Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true }])
  assert.deepEqual(body.HostConfig['VolumesFrom'], ['db:ro'])
  const bad = await berth(['create', '--mount', 'type=bind,src=/a', 'busybox'])
  assert.equal(bad.code, 125)
  assert.match(bad.stderr, /invalid argument "type=bind,src=\/a" for "--mount" flag: target is required/)
})
