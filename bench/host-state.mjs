// What Docker and Podman change on the host outside their own roots, recorded before they start and put
// back afterwards: links (docker0, cni-podman0), iptables chains and rules, empty nftables tables that
// iptables-nft made, forwarding sysctls, /run/netns, CNI and containers caches, /etc/docker/key.json,
// and cgroup parents (docker, libpod_parent).
import { existsSync, readFileSync, writeFileSync, readdirSync, rmSync, rmdirSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { sh, processes, mountsUnder } from './lib.mjs'

/** Paths a peer may create outside its roots, deepest first (removed after only if absent before). */
const TRACKED_PATHS = [
  '/etc/docker/key.json', '/etc/docker',
  '/run/docker/plugins', '/run/docker', '/run/containerd/s', '/run/containerd',
  '/var/lib/cni/networks/podman', '/var/lib/cni/results', '/var/lib/cni/networks', '/var/lib/cni',
  '/var/lib/containers/cache/blob-info-cache-v1.boltdb', '/var/lib/containers/cache', '/var/lib/containers',
  '/run/containers', '/run/libpod', '/run/netns',
]
const SYSCTLS = [
  'net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding', 'net/ipv6/conf/default/forwarding',
  'net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables',
]
export const PEER_LINKS = ['docker0', 'cni-podman0']
const PEER_CGROUP_PARENTS = ['docker', 'libpod_parent']
const PEER_RULE = /(-j|--jump|-g|--goto) (DOCKER[\w-]*|CNI-[\w-]+)\b|\bdocker0\b|\bcni-podman0\b/
const PEER_CHAIN = /^(DOCKER[\w-]*|CNI-[\w-]+)$/
const IPTABLES_NFT_TABLES = ['filter', 'nat', 'mangle', 'raw', 'security']
// What the bench's berthd (bench/berthd.mjs prefixes) and its peers can leave: the check after cleanup
// looks only at these, since other daemons on a shared host make and remove their own meanwhile.
const BENCH_PREFIXES = /^(bbench|bbuild|bbreg)/
const benchLink = (l) => PEER_LINKS.includes(l) || /^veth/.test(l) || BENCH_PREFIXES.test(l)
const benchTable = (t) => IPTABLES_NFT_TABLES.includes(t.split(' ')[1]) || BENCH_PREFIXES.test(t.split(' ')[1])
const benchNetns = (n) => /^cni-/.test(n)

const readSysctl = (k) => { try { return readFileSync(`/proc/sys/${k}`, 'utf8').trim() } catch { return undefined } }
const isMountPoint = (p) => mountsUnder([p]).includes(p)
const links = () => JSON.parse(sh('ip', ['-j', 'link']).stdout || '[]').map((l) => l.ifname)
const netns = () => (existsSync('/run/netns') ? readdirSync('/run/netns') : [])
const nftTables = () => JSON.parse(sh('nft', ['-j', 'list', 'tables']).stdout || '{"nftables":[]}')
  .nftables.filter((o) => o.table).map((o) => `${o.table.family} ${o.table.name}`)
const cgroupRoots = () => readdirSync('/sys/fs/cgroup').map((d) => join('/sys/fs/cgroup', d)).filter((d) => isMountPoint(d))
const iptablesLines = (table) => {
  const r = sh('iptables', ['-t', table, '-S'])
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : []
}

/** Enabled v1 controllers (from /proc/cgroups) that no mounted cgroup v1 hierarchy carries. */
export function missingCgroupControllers() {
  const enabled = readFileSync('/proc/cgroups', 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === '1').map((f) => f[0])
  const hasV1 = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.includes(' - cgroup '))
  if (!hasV1) return []
  const mounted = new Set()
  for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const post = l.split(' - ')[1]
    if (post?.startsWith('cgroup ')) for (const o of (post.split(' ')[2] ?? '').split(',')) mounted.add(o)
  }
  return enabled.filter((c) => !mounted.has(c))
}

/** crun 1.8 refuses hybrid hosts with an unmounted v1 controller: mount each one, as berthd does. */
export function mountMissingCgroupControllers() {
  const done = []
  for (const c of missingCgroupControllers()) {
    const mp = `/sys/fs/cgroup/${c}`
    mkdirSync(mp, { recursive: true })
    if (sh('mount', ['-t', 'cgroup', '-o', c, 'cgroup', mp]).status === 0) done.push(mp)
  }
  return done
}

export function snapshotHost() {
  const cgroupDirs = cgroupRoots().flatMap((r) => PEER_CGROUP_PARENTS.map((p) => join(r, p))).filter((d) => existsSync(d))
  return {
    paths: Object.fromEntries(TRACKED_PATHS.map((p) => [p, existsSync(p)])),
    netnsMounted: isMountPoint('/run/netns'),
    links: links(),
    netns: netns(),
    nftTables: nftTables(),
    iptables: { filter: iptablesLines('filter'), nat: iptablesLines('nat') },
    sysctls: Object.fromEntries(SYSCTLS.map((k) => [k, readSysctl(k)])),
    cgroupDirs,
  }
}

export const saveSnapshot = (file, snap) => writeFileSync(file, JSON.stringify(snap, null, 1))
export const loadSnapshot = (file) => JSON.parse(readFileSync(file, 'utf8'))

/** Removes an empty cgroup subtree depth-first (rmdir only: a cgroup with live tasks stays). */
function rmCgroupTree(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmCgroupTree(join(dir, e.name))
  try { rmdirSync(dir) } catch { /* busy */ }
}

/** Undoes the peers' host changes relative to `before`; returns what it did, one line each. */
export function restoreHost(before) {
  const did = []
  for (const l of links()) {
    if (PEER_LINKS.includes(l) && !before.links.includes(l) && sh('ip', ['link', 'del', l]).status === 0) did.push(`deleted link ${l}`)
  }
  for (const table of ['nat', 'filter']) {
    const old = new Set(before.iptables[table])
    const lines = iptablesLines(table)
    let rules = 0
    for (const line of lines) {
      if (!line.startsWith('-A ') || old.has(line) || !PEER_RULE.test(line)) continue
      if (sh('sh', ['-c', `iptables -t ${table} ${line.replace(/^-A /, '-D ')}`]).status === 0) rules++
    }
    const chains = lines.filter((l) => l.startsWith('-N ')).map((l) => l.slice(3)).filter((c) => PEER_CHAIN.test(c) && !old.has(`-N ${c}`))
    for (const c of chains) sh('iptables', ['-t', table, '-F', c])
    const deleted = chains.filter((c) => sh('iptables', ['-t', table, '-X', c]).status === 0)
    if (rules || deleted.length) did.push(`iptables -t ${table}: removed ${rules} rule(s) and the chain(s) ${deleted.join(', ') || '-'}`)
    const policy = before.iptables[table].find((l) => l.startsWith('-P FORWARD ')) ?? (table === 'filter' ? '-P FORWARD ACCEPT' : undefined)
    const now = iptablesLines(table)
    if (policy && !now.includes(policy) && now.some((l) => l.startsWith('-P FORWARD '))) {
      if (sh('iptables', ['-t', table, ...policy.split(' ')]).status === 0) did.push(`iptables -t ${table}: FORWARD policy back to ${policy.split(' ')[2]} (dockerd had set DROP)`)
    }
  }
  for (const t of nftTables()) {
    const [family, name] = t.split(' ')
    // Only the tables iptables-nft makes: another daemon on the host may own a new, still empty table.
    if (before.nftTables.includes(t) || !IPTABLES_NFT_TABLES.includes(name) || !['ip', 'ip6'].includes(family)) continue
    const rules = JSON.parse(sh('nft', ['-j', 'list', 'table', family, name]).stdout || '{"nftables":[]}').nftables.filter((o) => o.rule)
    if (rules.length === 0 && sh('nft', ['delete', 'table', family, name]).status === 0) did.push(`deleted the empty nftables table ${t} that iptables-nft had made`)
  }
  for (const [k, v] of Object.entries(before.sysctls)) {
    if (v === undefined || readSysctl(k) === v) continue
    try { writeFileSync(`/proc/sys/${k}`, v); did.push(`sysctl ${k.replaceAll('/', '.')} back to ${v}`) } catch { /* read-only */ }
  }
  if (!before.paths['/run/netns'] && existsSync('/run/netns') && netns().length === 0) {
    while (isMountPoint('/run/netns') && sh('umount', ['/run/netns']).status === 0) { /* stacked bind mounts */ }
    try { rmdirSync('/run/netns'); did.push('unmounted and removed /run/netns') } catch { /* in use */ }
  } else if (!before.netnsMounted && isMountPoint('/run/netns') && netns().length === 0) {
    sh('umount', ['/run/netns'])
    did.push('unmounted /run/netns')
  }
  const removed = []
  for (const p of [...TRACKED_PATHS].sort((a, b) => a.length - b.length)) {
    if (p === '/run/netns' || before.paths[p] || !existsSync(p)) continue
    try { rmSync(p, { recursive: true, force: true }); removed.push(p) } catch (e) { did.push(`could not remove ${p}: ${e.code}`) }
  }
  if (removed.length) did.push(`removed ${removed.join(', ')}`)
  for (const r of cgroupRoots()) {
    for (const p of PEER_CGROUP_PARENTS) {
      const d = join(r, p)
      if (existsSync(d) && !before.cgroupDirs.includes(d)) rmCgroupTree(d)
    }
  }
  if (cgroupRoots().some((r) => PEER_CGROUP_PARENTS.some((p) => !before.cgroupDirs.includes(join(r, p)) && existsSync(join(r, p))))) {
    did.push('some peer cgroups could not be removed (busy)')
  } else did.push('removed the docker and libpod_parent cgroups in every hierarchy')
  return did
}

/** What the bench or its peers left that was not there `before`, or still runs from the bench's roots, one line each. */
export function leftovers(before, roots) {
  const out = []
  for (const l of links()) if (!before.links.includes(l) && benchLink(l)) out.push(`link ${l}`)
  for (const n of netns()) if (!before.netns.includes(n) && benchNetns(n)) out.push(`netns ${n}`)
  for (const t of nftTables()) if (!before.nftTables.includes(t) && benchTable(t)) out.push(`nftables table ${t}`)
  for (const table of ['filter', 'nat']) {
    const old = new Set(before.iptables[table])
    for (const l of iptablesLines(table)) if (!old.has(l) && !l.startsWith('-P ')) out.push(`iptables -t ${table} ${l}`)
  }
  for (const m of mountsUnder([...roots, '/run/netns'])) if (m !== '/run/netns' || !before.netnsMounted) out.push(`mount ${m}`)
  for (const [p, was] of Object.entries(before.paths)) if (!was && existsSync(p)) out.push(`path ${p}`)
  for (const p of processes()) if (p.pid !== process.pid && roots.some((r) => p.cmdline.includes(r))) out.push(`process ${p.pid} ${p.cmdline.slice(0, 100)}`)
  return out
}
