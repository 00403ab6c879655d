/**
 * dockerd's --userns-remap on the host: which user and group the containers' root is mapped to
 * ("default" creates the berthremap user, as dockerd creates dockremap), their subordinate ranges from
 * /etc/subuid and /etc/subgid, and the daemon root for the remapped state (<data-root>/<uid>.<gid>).
 */
import { appendFile, chmod, chown, mkdir, readFile, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { allSubIdRanges, freeSubIdStart, mappingsFromRanges, parseSubIds, remappedRoot, type IdMappings } from '../common/index.js'
import { run } from './process.js'

export const DEFAULT_REMAP_USER = 'berthremap'
/** Size of the range given to berthremap, as dockerd gives dockremap. */
const DEFAULT_RANGE = 65536

export interface PasswdEntry {
  name: string
  id: number
}

export interface RemapHost {
  readFile(path: string): Promise<string | undefined>
  appendFile(path: string, text: string): Promise<void>
  lookupUser(nameOrId: string): Promise<PasswdEntry | undefined>
  lookupGroup(nameOrId: string): Promise<PasswdEntry | undefined>
  /** Creates a system user with a group of the same name (useradd --system --user-group). */
  addSystemUser(name: string): Promise<void>
}

export interface UsernsRemap {
  user: string
  group: string
  mappings: IdMappings
  /** Host ids of the container's root. */
  root: { uid: number; gid: number }
}

const SUBUID = '/etc/subuid'
const SUBGID = '/etc/subgid'

/** "default" | "user" | "user:group" | "uid[:gid]" -> the user and group whose ranges are used (as dockerd's parseRemappedRoot). */
export async function resolveUsernsRemap(spec: string, host: RemapHost = realRemapHost): Promise<UsernsRemap> {
  const parts = spec.split(':')
  if (spec === '' || parts.length > 2 || parts.some((p) => p === '')) throw new Error(`Incorrect user namespace remap format: "${spec}"`)
  let user: string
  let group: string
  if (parts[0] === 'default') {
    if (parts.length === 2) throw new Error(`Incorrect user namespace remap format: "${spec}"`)
    await ensureDefaultUser(host)
    user = group = DEFAULT_REMAP_USER
  } else {
    const u = await host.lookupUser(parts[0]!)
    if (!u) throw new Error(/^\d+$/.test(parts[0]!) ? `Uid ${parts[0]} has no entry in /etc/passwd` : `Error during uid lookup for "${parts[0]}": user: unknown user ${parts[0]}`)
    user = u.name
    const groupSpec = parts[1] ?? parts[0]!
    const g = await host.lookupGroup(groupSpec)
    if (!g) throw new Error(/^\d+$/.test(groupSpec) ? `Gid ${groupSpec} has no entry in /etc/group` : `Error during gid lookup for "${groupSpec}": group: unknown group ${groupSpec}`)
    group = g.name
  }
  const u = await host.lookupUser(user)
  const g = await host.lookupGroup(group)
  const uidRanges = parseSubIds((await host.readFile(SUBUID)) ?? '', user, u?.id)
  if (uidRanges.length === 0) throw new Error(`Can't create ID mappings: No subuid ranges found for user "${user}"`)
  const gidRanges = parseSubIds((await host.readFile(SUBGID)) ?? '', group, g?.id)
  if (gidRanges.length === 0) throw new Error(`Can't create ID mappings: No subgid ranges found for group "${group}"`)
  const mappings = { uids: mappingsFromRanges(uidRanges), gids: mappingsFromRanges(gidRanges) }
  return { user, group, mappings, root: remappedRoot(mappings) }
}

/** Creates berthremap and gives it subordinate ranges when it has none (dockerd: AddNamespaceRangesUser). */
async function ensureDefaultUser(host: RemapHost): Promise<void> {
  const name = DEFAULT_REMAP_USER
  if (!(await host.lookupUser(name))) await host.addSystemUser(name)
  const user = await host.lookupUser(name)
  for (const path of [SUBUID, SUBGID]) {
    const text = (await host.readFile(path)) ?? ''
    if (parseSubIds(text, name, user?.id).length > 0) continue
    const start = freeSubIdStart(allSubIdRanges(text), DEFAULT_RANGE)
    await host.appendFile(path, `${text === '' || text.endsWith('\n') ? '' : '\n'}${name}:${start}:${DEFAULT_RANGE}\n`)
  }
}

function parseGetent(out: string): PasswdEntry | undefined {
  const [name, , id] = out.trim().split('\n')[0]?.split(':') ?? []
  return name && id && /^\d+$/.test(id) ? { name, id: Number(id) } : undefined
}

async function getent(db: 'passwd' | 'group', key: string): Promise<PasswdEntry | undefined> {
  const res = await run(['getent', db, key], { check: false })
  return res.exitCode === 0 ? parseGetent(res.stdout.toString()) : undefined
}

export const realRemapHost: RemapHost = {
  async readFile(path) {
    try {
      return await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  },
  appendFile: (path, text) => appendFile(path, text, { mode: 0o644 }),
  lookupUser: (key) => getent('passwd', key),
  lookupGroup: (key) => getent('group', key),
  async addSystemUser(name) {
    await run(['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/bin/false', '--comment', 'berth user namespace remapping', name])
  },
}

/**
 * dockerd's setupDaemonRoot for a remapped daemon: the data root is root:<remapped gid> 0710 and
 * the state lives in <data-root>/<uid>.<gid>, owned the same way, so the containers' root can
 * reach its rootfs and files through the group bit. Fails as dockerd when a parent directory keeps
 * the remapped root out. Returns the remapped root directory.
 */
export async function setupRemappedRoot(dataRoot: string, root: { uid: number; gid: number }): Promise<string> {
  await mkdir(dataRoot, { recursive: true, mode: 0o711 })
  await chown(dataRoot, 0, root.gid)
  await chmod(dataRoot, 0o710)
  const remapped = join(dataRoot, `${root.uid}.${root.gid}`)
  await mkdir(remapped, { recursive: true, mode: 0o710 })
  await chown(remapped, 0, root.gid)
  await chmod(remapped, 0o710)
  for (let dir = dirname(dataRoot); ; dir = dirname(dir)) {
    if (!(await traversable(dir, root))) {
      throw new Error(`a subdirectory in your graphroot path (${remapped}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`)
    }
    if (dir === '/') break
  }
  return remapped
}

async function traversable(dir: string, who: { uid: number; gid: number }): Promise<boolean> {
  const st = await stat(dir)
  if (st.uid === who.uid) return (st.mode & 0o100) !== 0
  if (st.gid === who.gid) return (st.mode & 0o010) !== 0
  return (st.mode & 0o001) !== 0
}
