/**
 * Pure rules that turn a ContainerSpec plus the image's defaults into the container's process:
 * command (Entrypoint/Cmd), environment, working directory and user. They follow moby's
 * daemon/commit.go `merge`, `mergeAndVerifyConfig`, `CreateDaemonEnvironment` and moby/sys/user's
 * `GetExecUser`, so the results match Docker's.
 */
import { EngineError } from '../../common/index.js'
import type { ImageRuntimeConfig } from '../images/index.js'
import type { ContainerSpec } from './types.js'

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface ResolvedCommand {
  /** Effective Entrypoint after merging (undefined = none). */
  entrypoint: string[] | undefined
  /** Effective Cmd after merging (undefined = none). */
  cmd: string[] | undefined
  path: string
  args: string[]
}

/**
 * Docker's Entrypoint/Cmd rules:
 * - a non-empty spec.entrypoint replaces the image's Entrypoint and drops the image's Cmd (only
 *   spec.cmd is kept); `--entrypoint ""` arrives as [""] and resets the entrypoint the same way;
 * - an empty, non-null spec.entrypoint ([]) resets the entrypoint but keeps the image's Cmd;
 * - null/undefined spec.entrypoint keeps the image's Entrypoint;
 * - a non-empty spec.cmd replaces the image's Cmd.
 * Throws InvalidArgument "No command specified" when nothing is left to run.
 */
export function resolveCommand(spec: Pick<ContainerSpec, 'entrypoint' | 'cmd'>, image: ImageRuntimeConfig): ResolvedCommand {
  let entrypoint = spec.entrypoint ?? undefined
  let cmd = spec.cmd ?? undefined
  if (entrypoint === undefined || entrypoint.length === 0) {
    if (cmd === undefined || cmd.length === 0) cmd = image.Cmd ?? undefined
    if (entrypoint === undefined) entrypoint = image.Entrypoint ?? undefined
  }
  if (entrypoint !== undefined && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = undefined
  if (entrypoint !== undefined && entrypoint.length === 0) entrypoint = undefined
  if (cmd !== undefined && cmd.length === 0) cmd = undefined
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])]
  const [path, ...args] = argv
  if (path === undefined) throw new EngineError('InvalidArgument', 'NO_COMMAND', 'No command specified')
  return { entrypoint, cmd, path, args }
}

function envKey(entry: string): string {
  const i = entry.indexOf('=')
  return i < 0 ? entry : entry.slice(0, i)
}

/**
 * The container's configured Env as Docker stores it at create time (Config.Env): the client's
 * entries first, then every image entry whose key the client did not set.
 */
export function mergeEnv(imageEnv: readonly string[] | undefined, specEnv: readonly string[] | undefined): string[] {
  const user = [...(specEnv ?? [])]
  if (user.length === 0) return [...(imageEnv ?? [])]
  const keys = new Set(user.map(envKey))
  for (const entry of imageEnv ?? []) if (!keys.has(envKey(entry))) user.push(entry)
  return user
}

/**
 * moby's ReplaceOrAppendEnvValues: overrides replace defaults with the same key in place, new keys
 * are appended, and an override without "=" removes that key.
 */
export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const out: Array<string | undefined> = [...defaults]
  const index = new Map<string, number>()
  out.forEach((e, i) => index.set(envKey(e as string), i))
  for (const value of overrides) {
    const key = envKey(value)
    const i = index.get(key)
    if (!value.includes('=')) {
      if (i !== undefined) out[i] = undefined
      continue
    }
    if (i !== undefined) out[i] = value
    else {
      index.set(key, out.length)
      out.push(value)
    }
  }
  return out.filter((e): e is string => e !== undefined)
}

/**
 * The process environment: PATH (default), HOSTNAME, TERM=xterm with a TTY, then the merged
 * image + spec Env on top, then HOME from the resolved user when nothing set it.
 */
export function processEnv(opts: {
  imageEnv?: readonly string[]
  specEnv?: readonly string[]
  hostname: string
  tty: boolean
  home: string
}): string[] {
  const defaults = [DEFAULT_PATH_ENV, `HOSTNAME=${opts.hostname}`]
  if (opts.tty) defaults.push('TERM=xterm')
  const env = replaceOrAppendEnv(defaults, mergeEnv(opts.imageEnv, opts.specEnv))
  if (!env.some((e) => envKey(e) === 'HOME')) env.push(`HOME=${opts.home}`)
  return env
}

/** spec.workingDir, else the image's WorkingDir, else "/". InvalidArgument when not absolute. */
export function resolveWorkingDir(specDir: string | undefined, image: ImageRuntimeConfig): string {
  const dir = specDir || image.WorkingDir || '/'
  if (!dir.startsWith('/')) {
    throw new EngineError('InvalidArgument', 'INVALID_WORKDIR', `the working directory '${dir}' is invalid, it needs to be an absolute path`)
  }
  return normalizeAbsolute(dir)
}

function normalizeAbsolute(path: string): string {
  const parts: string[] = []
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue
    if (p === '..') parts.pop()
    else parts.push(p)
  }
  return '/' + parts.join('/')
}

export interface PasswdEntry {
  name: string
  uid: number
  gid: number
  home: string
}

export interface GroupEntry {
  name: string
  gid: number
  members: string[]
}

function toId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/** Parses /etc/passwd; malformed lines are skipped, as libc does. */
export function parsePasswd(content: string): PasswdEntry[] {
  const out: PasswdEntry[] = []
  for (const raw of content.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const f = line.split(':')
    const uid = toId(f[2])
    const gid = toId(f[3])
    if (f[0] === undefined || uid === undefined || gid === undefined) continue
    out.push({ name: f[0], uid, gid, home: f[5] ?? '' })
  }
  return out
}

/** Parses /etc/group; malformed lines are skipped. */
export function parseGroup(content: string): GroupEntry[] {
  const out: GroupEntry[] = []
  for (const raw of content.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const f = line.split(':')
    const gid = toId(f[2])
    if (f[0] === undefined || gid === undefined) continue
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter((m) => m !== '') })
  }
  return out
}

export interface ResolvedUser {
  uid: number
  gid: number
  /** Supplementary groups: /etc/group memberships of a user named without an explicit group. */
  additionalGids: number[]
  home: string
}

const MAX_ID = 2 ** 31 - 1

function userError(message: string): EngineError {
  return new EngineError('InvalidArgument', 'INVALID_USER', message)
}

/**
 * Resolves `user[:group]` (names or numeric ids) against the container's /etc/passwd and /etc/group
 * contents (undefined = the file does not exist). Empty spec = root. Numeric ids need no entry; an
 * unknown name fails: "unable to find user x: no matching entries in passwd file".
 */
export function resolveUser(userSpec: string | undefined, passwd: string | undefined, group: string | undefined): ResolvedUser {
  const spec = userSpec ?? ''
  const colon = spec.indexOf(':')
  const userArg = colon < 0 ? spec : spec.slice(0, colon)
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1)
  const uidArg = toId(userArg)
  const gidArg = toId(groupArg)

  const user: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '' }
  const users = passwd === undefined ? [] : parsePasswd(passwd)
  const match = users.find((u) => (userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg))
  let matchedName = ''
  if (match) {
    matchedName = match.name
    user.uid = match.uid
    user.gid = match.gid
    user.home = match.home
  } else if (userArg !== '') {
    if (uidArg === undefined) throw userError(`unable to find user ${userArg}: no matching entries in passwd file`)
    if (uidArg > MAX_ID) throw userError(`unable to find user ${userArg}: uids and gids must be in range 0-${MAX_ID}`)
    user.uid = uidArg
  }

  if (groupArg !== '' || matchedName !== '') {
    const groups = group === undefined ? [] : parseGroup(group)
    if (groupArg !== '') {
      const g = groups.find((x) => (gidArg !== undefined ? x.gid === gidArg : x.name === groupArg))
      if (g) user.gid = g.gid
      else if (gidArg === undefined) throw userError(`unable to find group ${groupArg}: no matching entries in group file`)
      else if (gidArg > MAX_ID) throw userError(`unable to find group ${groupArg}: uids and gids must be in range 0-${MAX_ID}`)
      else user.gid = gidArg
    } else {
      user.additionalGids = groups.filter((g) => g.members.includes(matchedName)).map((g) => g.gid)
    }
  }
  if (user.home === '') user.home = user.uid === 0 ? '/root' : '/'
  return user
}

/** The user string in effect: the spec's, else the image's. */
export function effectiveUser(spec: Pick<ContainerSpec, 'user'>, image: ImageRuntimeConfig): string {
  return spec.user || image.User || ''
}
