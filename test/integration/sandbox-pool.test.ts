// Network sandboxes made ahead for the default bridge (src/engine/networks/sandbox-pool.ts), end to end:
// a start takes the one made before it, nothing a user sees differs from a daemon without them, and a
// stopped or crashed berthd leaves none behind.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { Daemon, isRoot, eventually, freePort } from './harness.js'
import { pooledSandboxes, type PooledSandbox } from './pooled-sandboxes.js'

const skip = isRoot() ? false : 'needs root (namespaces, bridges, nftables)'

function okOn(d: Daemon, args: string[]): string {
  const r = d.docker(args)
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}\n${d.log()}`)
  return r.stdout
}

function linkUp(name: string): boolean {
  const r = spawnSync('ip', ['-j', 'link', 'show', name], { encoding: 'utf8' })
  return r.status === 0 && (JSON.parse(r.stdout)[0]?.flags as string[]).includes('UP')
}

function ourLinks(prefix: string): string[] {
  const out = spawnSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' }).stdout
  return (JSON.parse(out || '[]') as Array<{ ifname: string }>).map((l) => l.ifname).filter((n) => n.startsWith(prefix))
}

function nextAddress(ip: string): string {
  const parts = ip.split('.').map(Number)
  parts[3]! += 1
  return parts.join('.')
}

/** The one sandbox the daemon keeps ready, once it is there. */
function pooled(d: Daemon, what = 'a sandbox made ahead'): Promise<PooledSandbox> {
  return eventually<PooledSandbox | undefined>(() => {
    const all = pooledSandboxes(d.execRoot, d.netPrefix)
    return all.length === 1 && all[0]!.address ? all[0] : undefined
  }, what) as Promise<PooledSandbox>
}

describe('default-bridge sandboxes made ahead', { skip }, () => {
  const d = new Daemon()
  const ok = (args: string[]): string => okOn(d, args)
  const inspect = (name: string, format: string): string => ok(['inspect', '--format', format, name]).trim()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('a container on the default bridge starts in the sandbox made before it, with the address IPAM gives next', async () => {
    const ahead = await pooled(d)
    assert.ok(!linkUp(ahead.link), 'its host end waits down')
    assert.deepEqual(Object.keys(JSON.parse(ok(['network', 'inspect', '--format', '{{json .Containers}}', 'bridge']))), [], 'the pool is no container of the network')
    ok(['run', '-d', '--name', 'first', 'busybox', 'sleep', '1000'])
    assert.equal(inspect('first', '{{.NetworkSettings.SandboxKey}}'), ahead.netns)
    assert.equal(inspect('first', '{{.NetworkSettings.IPAddress}}'), ahead.address)
    assert.ok(linkUp(ahead.link))
    const gateway = inspect('first', '{{.NetworkSettings.Gateway}}')
    ok(['exec', 'first', 'ping', '-c', '1', '-W', '5', gateway])
    const id = inspect('first', '{{.Id}}')
    assert.deepEqual(Object.keys(JSON.parse(ok(['network', 'inspect', '--format', '{{json .Containers}}', 'bridge']))), [id])

    const next = await pooled(d, 'the sandbox for the next start')
    assert.equal(next.address, nextAddress(ahead.address))
    ok(['run', '-d', '--name', 'second', 'busybox', 'sleep', '1000'])
    assert.equal(inspect('second', '{{.NetworkSettings.SandboxKey}}'), next.netns)
    assert.equal(inspect('second', '{{.NetworkSettings.IPAddress}}'), next.address)
    ok(['exec', 'second', 'ping', '-c', '1', '-W', '5', ahead.address])
    ok(['rm', '-f', 'first', 'second'])
  })

  test('an address IPAM hands out past the pool (a container on two networks) does not collide; the stale sandbox goes', async () => {
    const ahead = await pooled(d)
    ok(['network', 'create', 'side'])
    ok(['create', '--name', 'both', 'busybox', 'sleep', '1000'])
    ok(['network', 'connect', 'side', 'both'])
    ok(['start', 'both'])
    const ip = inspect('both', '{{.NetworkSettings.Networks.bridge.IPAddress}}')
    assert.equal(ip, ahead.address, 'IPAM gives the next address, as without the pool')
    assert.notEqual(inspect('both', '{{.NetworkSettings.SandboxKey}}'), ahead.netns)
    ok(['exec', 'both', 'ping', '-c', '1', '-W', '5', inspect('both', '{{.NetworkSettings.Networks.bridge.Gateway}}')])
    const fresh = await eventually<PooledSandbox | undefined>(() => {
      const all = pooledSandboxes(d.execRoot, d.netPrefix)
      return all.length === 1 && all[0]!.netns !== ahead.netns && all[0]!.address ? all[0] : undefined
    }, 'the stale sandbox replaced') as PooledSandbox
    assert.equal(fresh.address, nextAddress(ip))
    assert.ok(!existsSync(ahead.netns))
    const other = ok(['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])
    assert.match(other, new RegExp(` ${fresh.address.replace(/\./g, '\\.')}/`))
    ok(['rm', '-f', 'both'])
    ok(['network', 'rm', 'side'])
  })

  test('stop/start, restart and network disconnect/connect of a container that took a pooled sandbox', async () => {
    await pooled(d)
    ok(['run', '-d', '--name', 'cyc', 'busybox', 'sleep', '1000'])
    const gateway = inspect('cyc', '{{.NetworkSettings.Gateway}}')
    for (const step of [['stop', '-t', '0', 'cyc'], ['start', 'cyc'], ['restart', '-t', '0', 'cyc']]) {
      ok(step)
      if (step[0] === 'stop') continue
      assert.equal(inspect('cyc', '{{.State.Running}}'), 'true')
      assert.match(inspect('cyc', '{{.NetworkSettings.IPAddress}}'), /^\d+\.\d+\.\d+\.\d+$/)
      ok(['exec', 'cyc', 'ping', '-c', '1', '-W', '5', gateway])
    }
    ok(['network', 'disconnect', 'bridge', 'cyc'])
    assert.equal(inspect('cyc', '{{json .NetworkSettings.Networks}}'), '{}')
    assert.doesNotMatch(ok(['exec', 'cyc', 'ip', 'link']), /eth0/)
    ok(['network', 'connect', 'bridge', 'cyc'])
    ok(['exec', 'cyc', 'ping', '-c', '1', '-W', '5', gateway])
    ok(['rm', '-f', 'cyc'])
  })
})

describe('with and without sandboxes made ahead, users see the same', { skip }, () => {
  const withPool = new Daemon()
  const without = new Daemon()
  without.env = { ...process.env, BERTH_SANDBOX_POOL: '0' }
  before(async () => {
    await withPool.startWithBusybox()
    await without.startWithBusybox()
  })
  after(async () => {
    await withPool.stop()
    await without.stop()
  })

  /** Runs one scenario; addresses, ports, ids and times made comparable between the two daemons. */
  async function transcript(d: Daemon, pool: boolean): Promise<string[]> {
    const ok = (args: string[]): string => okOn(d, args)
    if (pool) await pooled(d)
    const since = String(Math.floor(Date.now() / 1000) - 1)
    const port = await freePort()
    const out: string[] = []
    const fields = '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.MacAddress}} {{.NetworkSettings.Gateway}} ' +
      '{{json .NetworkSettings.Ports}} {{json .NetworkSettings.Networks.bridge.IPAMConfig}} {{.NetworkSettings.Networks.bridge.MacAddress}}'
    ok(['run', '-d', '--name', 'web', '-p', `${port}:80`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc'])
    out.push(ok(['inspect', '--format', fields, 'web']))
    out.push(ok(['run', '--rm', '--name', 'client', '--link', 'web:w', 'busybox', 'sh', '-c', 'cat /etc/hosts; env | grep ^W_ | sort']))
    out.push(ok(['run', '--rm', '--name', 'fetch', 'busybox', 'wget', '-qO-', `http://${ok(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', 'web']).trim()}/hostname`]))
    ok(['stop', '-t', '0', 'web'])
    out.push(ok(['inspect', '--format', fields, 'web']))
    ok(['start', 'web'])
    out.push(ok(['inspect', '--format', fields, 'web']))
    out.push(ok(['network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{.IPv4Address}} {{.MacAddress}}{{end}}', 'bridge']))
    ok(['rm', '-f', 'web'])
    const until = String(Math.floor(Date.now() / 1000) + 1)
    out.push(ok(['events', '--since', since, '--until', until, '--filter', 'type=network', '--filter', 'type=container', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']))
    const id = (name: string): RegExp => new RegExp(name, 'g')
    const subnet = d.bip.split('.').slice(0, 3).join('.')
    const macPrefix = subnet.split('.').map((n) => Number(n).toString(16).padStart(2, '0')).join(':')
    return out.join('\n---\n')
      .replace(id(`${subnet}\\.`), 'NET.').replace(id(`02:42:${macPrefix}:`), 'MAC:').replace(id(String(port)), 'PORT')
      .replace(/\b[0-9a-f]{12}\b/g, 'ID').replace(/ +$/gm, '').split('\n')
  }

  test('inspect, network inspect, /etc/hosts, links, ports and events', async () => {
    const a = await transcript(withPool, true)
    const b = await transcript(without, false)
    assert.deepEqual(a, b)
    assert.ok(a.some((l) => l.includes('network connect bridge')), a.join('\n'))
  })
})

describe('a stopped or crashed berthd leaves no sandbox made ahead', { skip }, () => {
  test('stop deletes it and holds no address; after a crash the next start deletes it', async () => {
    const d = new Daemon()
    try {
      await d.startWithBusybox()
      const ahead = await pooled(d)
      await d.stopDaemonOnly()
      assert.deepEqual(ourLinks(d.netPrefix), [])
      assert.deepEqual(readdirSync(`${d.execRoot}/netns`), [])
      assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(`${d.execRoot}/netns`))

      await d.start()
      const again = await pooled(d)
      assert.equal(again.address, ahead.address, 'the address was never held')
      d.crash()
      assert.ok(existsSync(again.netns), 'a crash leaves it')
      await d.start()
      assert.ok(!existsSync(again.netns), 'the next start removes it')
      assert.ok(!ourLinks(d.netPrefix).includes(again.link))
      const fresh = await pooled(d)
      assert.equal(fresh.address, ahead.address)
      assert.equal(okOn(d, ['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']).includes(` ${ahead.address}/`), true)
    } finally {
      await d.stop()
    }
  })
})
