// `system df` image sizes with Docker's semantics: a layer shared between images counts once in the
// total (LayersSize), and each image's SharedSize is what it shares with the others.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

describe('system df image sizes', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('layers shared between images count once; SharedSize and UniqueSize are exact', async () => {
    for (const [tag, kb] of [['df-app1', 300], ['df-app2', 500]] as const) {
      const build = d.docker(['build', '-q', '-t', tag, '-'], { input: `FROM busybox\nRUN dd if=/dev/zero of=/data bs=1k count=${kb} 2>/dev/null\n`, env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 60_000 })
      assert.equal(build.code, 0, build.stderr)
    }
    const res = await d.api('GET', '/system/df?type=image')
    assert.equal(res.status, 200, res.body)
    const df = JSON.parse(res.body) as { LayersSize: number; Images: Array<{ RepoTags: string[]; Size: number; SharedSize: number }> }
    const byTag = (t: string) => df.Images.find((i) => i.RepoTags.includes(`${t}:latest`))
    const [busybox, app1, app2] = [byTag('busybox'), byTag('df-app1'), byTag('df-app2')]
    assert.ok(busybox && app1 && app2, res.body)
    // The busybox layer is in all three images; each app's own layer is in one.
    for (const img of [busybox, app1, app2]) assert.equal(img.SharedSize, busybox.Size)
    const unique1 = app1.Size - app1.SharedSize
    const unique2 = app2.Size - app2.SharedSize
    assert.ok(unique1 >= 300 * 1024 && unique2 >= 500 * 1024, `unique sizes ${unique1} ${unique2}`)
    assert.equal(df.LayersSize, busybox.Size + unique1 + unique2)
    assert.ok(df.LayersSize < busybox.Size + app1.Size + app2.Size)

    // The docker CLI shows the same: UNIQUE SIZE = SIZE - SHARED SIZE per image, the total once.
    const verbose = d.docker(['system', 'df', '-v', '--format', '{{json .Images}}'])
    assert.equal(verbose.code, 0, verbose.stderr)
    const rows = JSON.parse(verbose.stdout) as Array<{ Repository: string; SharedSize: string; UniqueSize: string }>
    assert.equal(rows.find((r) => r.Repository === 'busybox')?.UniqueSize, '0B')
    assert.notEqual(rows.find((r) => r.Repository === 'df-app2')?.UniqueSize, '0B')
  })
})
