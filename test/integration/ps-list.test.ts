// `docker ps` / `berth ps` through a private berthd: the daemon keeps each container's list item between
// requests, so every change a list shows (rename, start, stop, network connect/disconnect, rm) is
// checked right after it is made, with a list made before it so a stale item would be seen.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (containers, bridges)'

interface Item {
  Id: string
  Names: string[]
  State: string
  Status: string
  Labels: Record<string, string>
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> }
  SizeRw?: number
}

describe('container list stays current', { skip }, () => {
  const d = new Daemon()
  const ok = (args: string[]): string => {
    const r = d.docker(args)
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  const list = async (query = 'all=1'): Promise<Item[]> => {
    const r = await d.api('GET', `/containers/json?${query}`)
    assert.equal(r.status, 200, r.body)
    return JSON.parse(r.body) as Item[]
  }
  const item = async (id: string): Promise<Item | undefined> => (await list()).find((c) => c.Id === id)

  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('rename, start, stop, network connect/disconnect and rm show in the next list', async () => {
    const id = ok(['create', '--name', 'first', '--label', 'tier=web', 'busybox', 'sleep', '1000']).trim()
    assert.deepEqual((await item(id))?.Names, ['/first'])
    ok(['rename', 'first', 'second'])
    assert.deepEqual((await item(id))?.Names, ['/second'])
    assert.equal(ok(['ps', '-a', '--filter', 'name=second', '--format', '{{.Names}} {{.Status}} {{.Label "tier"}}']), 'second Created web\n')

    ok(['start', id])
    const running = await item(id)
    assert.equal(running?.State, 'running')
    assert.match(running?.Status ?? '', /^Up /)
    assert.match(running?.NetworkSettings.Networks['bridge']?.IPAddress ?? '', /^\d+\.\d+\.\d+\.\d+$/)
    assert.equal(ok(['ps', '--format', '{{.Names}} {{.State}}']), 'second running\n')

    ok(['network', 'create', 'pslist'])
    ok(['network', 'connect', 'pslist', id])
    assert.deepEqual(Object.keys((await item(id))?.NetworkSettings.Networks ?? {}).sort(), ['bridge', 'pslist'])
    // The docker CLI joins the names in Go map order, which is random: compare them as a set.
    assert.deepEqual(ok(['ps', '--format', '{{.Networks}}']).trim().split(',').sort(), ['bridge', 'pslist'])
    ok(['network', 'disconnect', 'pslist', id])
    assert.deepEqual(Object.keys((await item(id))?.NetworkSettings.Networks ?? {}), ['bridge'])
    ok(['network', 'rm', 'pslist'])

    ok(['stop', '-t', '0', id])
    const stopped = await item(id)
    assert.equal(stopped?.State, 'exited')
    assert.match(stopped?.Status ?? '', /^Exited \(137\) /)
    assert.equal(stopped?.NetworkSettings.Networks['bridge']?.IPAddress, '')
    assert.equal(ok(['ps', '-q']), '')

    ok(['rm', id])
    assert.equal(await item(id), undefined)
    assert.equal(ok(['ps', '-aq', '--filter', `id=${id}`]), '')
  })

  test('ps --filter network= selects containers by network name or id prefix, as dockerd', () => {
    const netId = ok(['network', 'create', 'psfilter']).trim()
    const ids: string[] = []
    try {
      const onNet = ok(['create', '--name', 'on-net', '--network', 'psfilter', 'busybox', 'true']).trim()
      ids.push(onNet)
      const onBridge = ok(['create', '--name', 'on-bridge', 'busybox', 'true']).trim()
      ids.push(onBridge)
      const both = ok(['run', '-d', '--name', 'on-both', 'busybox', 'sleep', '1000']).trim()
      ids.push(both)
      ok(['network', 'connect', 'psfilter', both])
      const hostNet = ok(['create', '--name', 'on-host', '--network', 'host', 'busybox', 'true']).trim()
      ids.push(hostNet)
      const names = (filter: string, all = true): string[] =>
        ok(['ps', ...(all ? ['-a'] : []), '--filter', filter, '--format', '{{.Names}}']).split('\n').filter(Boolean).sort()
      assert.deepEqual(names('network=psfilter'), ['on-both', 'on-net'])
      // on-net never ran: as in dockerd, its endpoint has no NetworkID yet, so only the name selects it.
      assert.deepEqual(names(`network=${netId.slice(0, 8)}`), ['on-both'])
      assert.deepEqual(names('network=psfilter', false), ['on-both'])
      assert.deepEqual(names('network=bridge'), ['on-both', 'on-bridge'])
      assert.deepEqual(names('network=host'), ['on-host'])
      assert.deepEqual(names('network=psfil'), [], 'a name matches only whole')
      assert.deepEqual(names('network=nosuchnet'), [])
      assert.equal(ok(['inspect', '--format', '[{{.NetworkSettings.Networks.psfilter.NetworkID}}]', onNet]), '[]\n')
      ok(['start', onNet])
      assert.equal(ok(['inspect', '--format', '{{.NetworkSettings.Networks.psfilter.NetworkID}} [{{.NetworkSettings.Networks.psfilter.IPAddress}}]', onNet]), `${netId} []\n`)
      assert.deepEqual(names(`network=${netId.slice(0, 8)}`), ['on-both', 'on-net'])
    } finally {
      if (ids.length > 0) d.docker(['rm', '-f', ...ids])
      d.docker(['network', 'rm', 'psfilter'])
    }
  })

  test('size=1 adds SizeRw and SizeRootFs; limit and filters still select', async () => {
    const a = ok(['create', '--name', 'sized', 'busybox', 'true']).trim()
    const b = ok(['create', '--name', 'newer', '--label', 'x=1', 'busybox', 'true']).trim()
    try {
      const sized = (await list('all=1&size=1')).find((c) => c.Id === a) as Item & { SizeRootFs?: number }
      assert.ok((sized.SizeRootFs ?? 0) > 0, 'SizeRootFs counts the image')
      assert.equal((await list('all=1')).find((c) => c.Id === a)?.SizeRw, undefined)
      assert.deepEqual((await list('limit=1')).map((c) => c.Id), [b], 'newest first')
      assert.deepEqual((await list(`all=1&filters=${encodeURIComponent(JSON.stringify({ label: ['x=1'] }))}`)).map((c) => c.Id), [b])
      assert.deepEqual((await list(`all=1&filters=${encodeURIComponent(JSON.stringify({ before: ['newer'] }))}`)).map((c) => c.Id).slice(0, 1), [a])
      assert.equal(ok(['ps', '-a', '-s', '--filter', 'name=sized', '--format', '{{.Names}}']), 'sized\n')
    } finally {
      d.docker(['rm', '-f', a, b])
    }
  })

  test('berth ps prints what docker ps prints (table, --no-trunc, -q, templates)', () => {
    const ids = [
      ok(['create', '--name', 'fmt-a', '--label', 'tier=web', '--label', 'com.example.x=1', '--expose', '80', '--expose', '81', 'busybox', 'sh', '-c', 'echo a long command line that docker truncates']).trim(),
      ok(['create', '--name', 'fmt-b', '-v', '/tmp:/host-tmp', 'busybox', 'true']).trim(),
    ]
    try {
      const formats = [
        ['--format', 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}'],
        ['--no-trunc', '--format', 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}'],
        ['-q'],
        ['--format', '{{.Names}} {{.Label "tier"}} {{.Label "com.example.x"}} {{.Mounts}} {{.LocalVolumes}} {{.Networks}} {{.State}} {{.CreatedAt}}'],
        ['--format', 'table {{.Names}}\t{{.Ports}}\t{{.Size}}'],
      ]
      for (const f of formats) {
        const args = ['ps', '-a', '--filter', 'name=fmt-', ...f]
        const mine = d.berth(args)
        assert.equal(mine.code, 0, mine.stderr)
        assert.equal(mine.stdout, ok(args), `berth ${args.join(' ')}`)
      }
      // {{.Labels}} is joined in Go map order by the docker CLI (random): compare the labels as a set.
      const labels = (out: string): string[] => out.trim().split(',').sort()
      const args = ['ps', '-a', '--filter', 'name=fmt-a', '--format', '{{.Labels}}']
      const mine = d.berth(args)
      assert.equal(mine.code, 0, mine.stderr)
      assert.deepEqual(labels(mine.stdout), labels(ok(args)))
      assert.deepEqual(labels(mine.stdout), ['com.example.x=1', 'tier=web'])
    } finally {
      d.docker(['rm', '-f', ...ids])
    }
  })
})
