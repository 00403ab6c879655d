// What berthd keeps ready on the host for the next default-bridge start (src/engine/networks/sandbox-pool.ts):
// namespace files under <exec>/netns whose eth0's peer is a veth of the daemon's prefix left down.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

interface IpLink { ifindex: number; link_index?: number; ifname: string; flags: string[]; addr_info?: Array<{ family: string; local: string }> }

function ipJson(args: string[], netns?: string): IpLink[] {
  const argv = netns ? ['nsenter', `--net=${netns}`, 'ip', '-j', ...args] : ['ip', '-j', ...args]
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
  return r.status === 0 ? (JSON.parse(r.stdout || '[]') as IpLink[]) : []
}

export interface PooledSandbox {
  netns: string
  /** Host end of its veth. */
  link: string
  /** eth0's IPv4 address. */
  address: string
}

/** The sandboxes berthd made ahead (host end down); empty when there are none. */
export function pooledSandboxes(execRoot: string, prefix: string): PooledSandbox[] {
  const dir = join(execRoot, 'netns')
  let files: string[]
  try {
    files = readdirSync(dir)
  } catch {
    return []
  }
  const hostLinks = ipJson(['link', 'show'])
  const out: PooledSandbox[] = []
  for (const file of files) {
    const netns = join(dir, file)
    const eth0 = ipJson(['addr', 'show', 'eth0'], netns)[0]
    const peer = hostLinks.find((l) => l.ifindex === eth0?.link_index)
    if (!eth0 || !peer || !peer.ifname.startsWith(prefix) || peer.flags.includes('UP')) continue
    out.push({ netns, link: peer.ifname, address: eth0.addr_info?.find((a) => a.family === 'inet')?.local ?? '' })
  }
  return out
}

/** Links of the daemon's prefix, without the host ends of its pooled sandboxes. */
export function linksInUse(execRoot: string, prefix: string): string[] {
  const pooled = new Set(pooledSandboxes(execRoot, prefix).map((p) => p.link))
  return ipJson(['link', 'show']).map((l) => l.ifname).filter((n) => n.startsWith(prefix) && !pooled.has(n))
}

/** Namespace files under <exec>/netns, without the pooled sandboxes'. */
export function netnsInUse(execRoot: string, prefix: string): string[] {
  const pooled = new Set(pooledSandboxes(execRoot, prefix).map((p) => p.netns))
  let files: string[]
  try {
    files = readdirSync(join(execRoot, 'netns'))
  } catch {
    return []
  }
  return files.filter((f) => !pooled.has(join(execRoot, 'netns', f)))
}
