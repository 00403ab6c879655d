import { mkdir, readFile, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, errorMessage, type Logger } from '../common/index.js'
import { run } from './process.js'

/**
 * cgroup layout of the host, and the one fix crun needs on hybrid hosts: crun 1.8 refuses to run
 * ("cgroups in hybrid mode not supported") while an enabled v1 controller has no v1 hierarchy mounted.
 */
export type CgroupLayout = 'v1' | 'hybrid' | 'v2'

export interface CgroupHierarchy {
  /** 'cgroup' (v1) or 'cgroup2' (unified). */
  fsType: 'cgroup' | 'cgroup2'
  mountPoint: string
  /** v1 controllers bound to this hierarchy (empty for cgroup2 and for name=systemd). */
  controllers: string[]
}

export interface CgroupInfo {
  layout: CgroupLayout
  /** Every cgroup hierarchy mounted at its root ('/'), v1 and unified. */
  hierarchies: CgroupHierarchy[]
  /** v1 controllers that have a mounted hierarchy. */
  mountedV1: string[]
  /** Controllers /proc/cgroups lists as enabled that no v1 hierarchy carries (meaningful on v1/hybrid). */
  unmountedV1: string[]
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/**
 * Pure: reads /proc/cgroups and /proc/self/mountinfo text. Only hierarchies mounted at their root are
 * listed, so a bind mount of a sub-cgroup does not count as a hierarchy.
 */
export function parseCgroups(procCgroups: string, mountinfo: string): CgroupInfo {
  const enabled: string[] = []
  for (const line of procCgroups.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    const [name, , , on] = line.trim().split(/\s+/)
    if (name && on === '1') enabled.push(name)
  }
  const known = new Set(enabled)
  const hierarchies: CgroupHierarchy[] = []
  const seen = new Set<string>()
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ')
    if (sep < 0) continue
    const pre = line.slice(0, sep).split(' ')
    const [fsType, , superOptions = ''] = line.slice(sep + 3).split(' ')
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue
    const root = pre[3]
    const mountPoint = pre[4]
    if (root !== '/' || mountPoint === undefined) continue
    const mp = unescapeMountField(mountPoint)
    if (seen.has(mp)) continue
    seen.add(mp)
    const controllers = fsType === 'cgroup' ? superOptions.split(',').filter((o) => known.has(o)) : []
    hierarchies.push({ fsType, mountPoint: mp, controllers })
  }
  const v1 = hierarchies.filter((h) => h.fsType === 'cgroup')
  const mounted = new Set(v1.flatMap((h) => h.controllers))
  const hasV2 = hierarchies.some((h) => h.fsType === 'cgroup2')
  const layout: CgroupLayout = v1.length === 0 && hasV2 ? 'v2' : hasV2 ? 'hybrid' : 'v1'
  return {
    layout,
    hierarchies,
    mountedV1: enabled.filter((c) => mounted.has(c)),
    unmountedV1: layout === 'v2' ? [] : enabled.filter((c) => !mounted.has(c)),
  }
}

export async function detectCgroups(): Promise<CgroupInfo> {
  const [procCgroups, mountinfo] = await Promise.all([
    readFile('/proc/cgroups', 'utf8').catch(() => ''),
    readFile('/proc/self/mountinfo', 'utf8'),
  ])
  return parseCgroups(procCgroups, mountinfo)
}

export interface EnsureCgroupsResult {
  layout: CgroupLayout
  /** Controllers this call mounted. */
  mounted: string[]
  /** crun can run here. When false, the daemon should use runc instead, and `reason` says why. */
  crunUsable: boolean
  reason?: string
}

/**
 * Makes a v1/hybrid host usable by crun by mounting each enabled v1 controller that has no hierarchy
 * at <cgroupRoot>/<controller>. Never throws for a failed mount: the result tells the daemon to fall
 * back to runc (which tolerates the missing controllers) with the reason.
 */
export async function ensureCgroupsForCrun(
  logger: Logger,
  opts: { cgroupRoot?: string; info?: CgroupInfo } = {},
): Promise<EnsureCgroupsResult> {
  const cgroupRoot = opts.cgroupRoot ?? '/sys/fs/cgroup'
  const info = opts.info ?? (await detectCgroups())
  const mounted: string[] = []
  if (info.layout === 'v2') return { layout: info.layout, mounted, crunUsable: true }
  for (const controller of info.unmountedV1) {
    const dir = join(cgroupRoot, controller)
    try {
      await mkdir(dir, { recursive: true })
      await run(['mount', '-t', 'cgroup', '-o', controller, 'cgroup', dir])
    } catch (err) {
      const reason = `cannot mount cgroup v1 controller "${controller}" at ${dir} (${errorMessage(err).trim()}); crun refuses hybrid-cgroup hosts with unmounted controllers, use runc`
      logger.warn(reason)
      return { layout: info.layout, mounted, crunUsable: false, reason }
    }
    mounted.push(controller)
    logger.info(`mounted missing cgroup v1 controller ${controller} so that crun can run on this ${info.layout}-cgroup host`)
  }
  return { layout: info.layout, mounted, crunUsable: true }
}

/**
 * Removes the cgroup directory `cgroupPath` (e.g. "/berth/<id>") from every hierarchy, unified
 * included. Absent directories are fine; a cgroup that still holds processes or children (EBUSY)
 * is an EngineError Conflict.
 */
export async function removeCgroup(cgroupPath: string, info?: CgroupInfo): Promise<void> {
  const rel = cgroupPath.replace(/^\/+/, '')
  if (rel === '' || rel.split('/').includes('..')) {
    throw new EngineError('InvalidArgument', 'CGROUP_PATH_INVALID', `Cannot remove cgroup "${cgroupPath}": invalid path`)
  }
  const { hierarchies } = info ?? (await detectCgroups())
  const failures: string[] = []
  for (const h of hierarchies) {
    const dir = join(h.mountPoint, rel)
    try {
      await rmdir(dir)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT') failures.push(`${dir}: ${code ?? errorMessage(err)}`)
    }
  }
  if (failures.length > 0) {
    throw new EngineError('Conflict', 'CGROUP_BUSY', `Cannot remove cgroup "${cgroupPath}": ${failures.join(', ')}`)
  }
}
