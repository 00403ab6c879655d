import { readFile, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { isEngineError, isoTime } from '../../common/index.js'
import { packTar, type TarEntry } from '../layers/index.js'
import { hostArchitecture } from './platform.js'
import type { ImageRecord, ImageService } from './types.js'

export interface BootstrapBusyboxOptions {
  /** A static busybox binary (Debian's busybox-static installs /bin/busybox). */
  busyboxPath?: string
  /** `busybox --list`, run by the caller (engine code does not spawn processes). */
  listApplets: () => Promise<string[]>
  repoTag?: string
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

const passwd = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'bin:x:2:2:bin:/bin:/bin/false',
  'sys:x:3:3:sys:/dev:/bin/false',
  'nobody:x:65534:65534:nobody:/home:/bin/false',
]
const group = ['root:x:0:', 'daemon:x:1:', 'bin:x:2:', 'sys:x:3:', 'tty:x:5:', 'wheel:x:10:root', 'users:x:100:', 'nogroup:x:65534:']

/**
 * Builds busybox:latest from the host's static busybox, offline: one layer with /bin/busybox, a
 * symlink per applet, /etc/passwd and /etc/group and the usual empty dirs. Every entry carries the
 * binary's mtime (set by dpkg from the package) and the config uses it as `created`, so the same
 * busybox package gives the same image id on every machine. Does nothing if the tag exists.
 */
export async function bootstrapBusybox(images: ImageService, opts: BootstrapBusyboxOptions): Promise<ImageRecord> {
  const repoTag = opts.repoTag ?? 'busybox:latest'
  try {
    return await images.resolve(repoTag)
  } catch (err) {
    if (!isEngineError(err, 'NotFound')) throw err
  }
  const busyboxPath = opts.busyboxPath ?? '/bin/busybox'
  const [binary, st, applets] = await Promise.all([readFile(busyboxPath), stat(busyboxPath), opts.listApplets()])
  const mtime = new Date(Math.floor(st.mtimeMs / 1000) * 1000)
  const tar = await packTar(busyboxEntries(binary, applets, mtime))
  const created = isoTime(mtime).replace('.000Z', 'Z')
  return images.createFromLayers(
    [Readable.from([tar])],
    {
      architecture: hostArchitecture(),
      os: 'linux',
      created,
      config: { Env: [PATH_ENV], Cmd: ['sh'] },
      history: [{ created, created_by: busyboxCreatedBy(binary) }],
    },
    repoTag,
  )
}

/** The layer's entries, in a fixed order. Pure. */
export function busyboxEntries(binary: Uint8Array, applets: readonly string[], mtime: Date): TarEntry[] {
  const dir = (name: string, mode = 0o755): TarEntry => ({ header: { name: `${name}/`, type: 'directory', mode, uid: 0, gid: 0, mtime } })
  const file = (name: string, data: Uint8Array | string, mode = 0o644): TarEntry => ({ header: { name, mode, uid: 0, gid: 0, mtime }, data })
  const names = [...new Set(applets.map((a) => a.trim().split('/').pop() ?? ''))]
    .filter((a) => /^[A-Za-z0-9_.[\]-]+$/.test(a) && a !== 'busybox' && a !== '.' && a !== '..')
    .sort()
  return [
    dir('bin'),
    file('bin/busybox', binary, 0o755),
    ...names.map((a): TarEntry => ({ header: { name: `bin/${a}`, type: 'symlink', linkname: 'busybox', uid: 0, gid: 0, mtime } })),
    dir('dev'),
    dir('etc'),
    file('etc/group', group.join('\n') + '\n'),
    file('etc/passwd', passwd.join('\n') + '\n'),
    dir('home'),
    dir('proc'),
    dir('root', 0o700),
    dir('sys'),
    dir('tmp', 0o1777),
    dir('usr'),
    dir('usr/bin'),
    dir('usr/sbin'),
    dir('var'),
  ]
}

/** "BUSYBOX bootstrap from Debian busybox-static 1:1.35.0-4+b3", from the binary's version banner. */
export function busyboxCreatedBy(binary: Uint8Array): string {
  const banner = /BusyBox v([0-9][0-9A-Za-z.-]*) \(([^)]*)\)/.exec(Buffer.from(binary).toString('latin1'))
  if (!banner) return 'BUSYBOX bootstrap from busybox'
  const build = banner[2] as string
  return build.startsWith('Debian ')
    ? `BUSYBOX bootstrap from Debian busybox-static ${build.slice('Debian '.length)}`
    : `BUSYBOX bootstrap from busybox ${banner[1] as string}`
}
