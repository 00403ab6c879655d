/**
 * StepWorkspace: the filesystem side of build steps. A step gets a writable overlay snapshot of its
 * parent layer chain, mounted in a builder-owned bundle dir (<data>/build/work/<key>/rootfs); RUN
 * executes there as a real container (conmon + crun, never listed as a container), and afterwards
 * exactly the snapshot's upper dir is committed as the step's layer. Whatever happens (failure,
 * abort), the container, the mount and the snapshot are gone when a call returns; cleanup() removes
 * what a daemon crash left.
 */
import { lstat, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { writeJsonAtomic, type Digest, type IdMappings, type Logger, type Mount } from '../../common/index.js'
import { withUpperDirLayer, type Snapshotter } from '../layers/index.js'
import { ociSpec, type ContainerRecord, type OciSpecOptions, type ResolvedUser } from '../containers/index.js'
import type { OciRuntime } from '../../runtime/oci-runtime.js'
import type { LayerCommitter } from './types.js'

export interface StepWorkspaceDeps {
  /** Where snapshots and bundles live: the build snapshotter's snapshots root. */
  workRoot: string
  snapshotter: Snapshotter
  runtime: OciRuntime
  committer: LayerCommitter
  /** Runs a host tool (tar) and fails on a non-zero exit. */
  exec: (argv: string[]) => Promise<void>
  specOptions: Pick<OciSpecOptions, 'hostNofileLimit' | 'availableCapabilities'>
  logger: Logger
  /**
   * A remapped daemon's mappings (--userns-remap). RUN steps run as the host's root (no user
   * namespace); layers record owners as containers see them.
   */
  idMappings?: IdMappings
}

export interface Workspace {
  key: string
  rootfs: string
  bundleDir: string
}

export interface RunProcess {
  containerId: string
  args: string[]
  env: string[]
  cwd: string
  user: ResolvedUser
  /**
   * The network mode of RUN containers. Only "none" exists until networking lands; a network
   * driver will later turn other modes into a namespace path here.
   */
  networkMode: 'none'
  /** A heredoc script run as a file: bind-mounted read-only at /dev/pipes/<name>, never in the layer. */
  script?: { name: string; content: string }
}

/** Mount points the runtime creates in a rootfs when missing; they must not end up in a layer. */
const RUNTIME_MOUNT_POINTS = ['proc', 'sys', 'dev']

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

export class StepWorkspace {
  constructor(private readonly deps: StepWorkspaceDeps) {}

  /**
   * Runs `fn` on a writable rootfs over `parentChainId`, then commits what changed as a layer on
   * that chain. undefined when nothing changed.
   */
  async change(
    parentChainId: string | undefined,
    fn: (ws: Workspace) => Promise<void>,
    opts: { clampMtime?: number } = {},
  ): Promise<{ diffId: Digest; chainId: string; size: number } | undefined> {
    return this.withSnapshot(parentChainId, false, async (ws) => {
      await fn(ws)
      await this.deps.snapshotter.unmount(ws.rootfs)
      const upper = this.deps.snapshotter.upperDir(ws.key)
      if ((await readdir(upper)).length === 0) return undefined
      return withUpperDirLayer(upper, join(ws.bundleDir, 'diff.tar'), this.deps.exec, (layer) => this.deps.committer.commitLayer(parentChainId, layer), { ...opts, idMappings: this.deps.idMappings })
    })
  }

  /** Runs `fn` with the chain mounted read-only (COPY --from). */
  readonly<T>(chainId: string | undefined, fn: (rootfs: string) => Promise<T>): Promise<T> {
    return this.withSnapshot(chainId, true, (ws) => fn(ws.rootfs))
  }

  private async withSnapshot<T>(parentChainId: string | undefined, readonly: boolean, fn: (ws: Workspace) => Promise<T>): Promise<T> {
    const key = `b${randomBytes(16).toString('hex')}`
    const bundleDir = join(this.deps.workRoot, key)
    const rootfs = join(bundleDir, 'rootfs')
    const ws: Workspace = { key, rootfs, bundleDir }
    await this.deps.snapshotter.prepare(key, parentChainId)
    try {
      await this.deps.snapshotter.mount(key, rootfs, { readonly })
      return await fn(ws)
    } finally {
      await this.release(ws)
    }
  }

  private async release(ws: Workspace): Promise<void> {
    await this.deps.snapshotter.unmount(ws.rootfs)
    await this.deps.snapshotter.removeSnapshot(ws.key)
    await rm(ws.bundleDir, { recursive: true, force: true })
  }

  /**
   * Runs one process as a container on the mounted workspace, streaming its output; resolves
   * with the exit code. On abort the container is killed. The runtime's state is deleted before
   * this returns, in every case.
   */
  async run(ws: Workspace, proc: RunProcess, onOutput: (stream: 1 | 2, data: Buffer) => void, signal?: AbortSignal): Promise<number> {
    const { runtime } = this.deps
    const containerId = proc.containerId
    const missing: string[] = []
    for (const m of RUNTIME_MOUNT_POINTS) if (!(await exists(join(ws.rootfs, m)))) missing.push(m)
    if (proc.script) await writeFile(join(ws.bundleDir, 'script'), proc.script.content, { mode: 0o755 })
    // The bundle lives only as long as this call: nothing to sync.
    await writeJsonAtomic(join(ws.bundleDir, 'config.json'), this.spec(ws, proc), { durable: false })
    // So cleanup() can find the container if the daemon dies while it runs.
    await writeFile(join(ws.bundleDir, 'container-id'), containerId)
    let exitResolve: (code: number) => void = () => undefined
    const exited = new Promise<number>((resolve) => (exitResolve = resolve))
    const watch = runtime.watchExits((id, exit) => {
      if (id === containerId) exitResolve(exit.exitCode)
    })
    let created = false
    const onAbort = (): void => {
      if (created) runtime.kill(containerId, 'KILL').catch(() => undefined)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      signal?.throwIfAborted()
      await runtime.create({ containerId, bundleDir: ws.bundleDir, logPath: '/dev/null', tty: false, openStdin: false, ...(signal ? { signal } : {}) })
      created = true
      const attach = await runtime.attach(containerId)
      const ended = new Promise<void>((resolve) => attach.onEnd(resolve))
      attach.onData((stream, data) => onOutput(stream, data))
      await runtime.start(containerId)
      signal?.throwIfAborted()
      // The exit file is the truth; poll it too in case the watcher missed the event.
      const poll = setInterval(() => {
        runtime.readExit(containerId).then((e) => e && exitResolve(e.exitCode), () => undefined)
      }, 250)
      let exitCode: number
      try {
        exitCode = await exited
      } finally {
        clearInterval(poll)
      }
      await Promise.race([ended, new Promise((r) => setTimeout(r, 500))])
      attach.close()
      signal?.throwIfAborted()
      return exitCode
    } finally {
      signal?.removeEventListener('abort', onAbort)
      watch.close()
      if (created) {
        await runtime.delete(containerId, { force: true }).catch((err) => this.deps.logger.warn('build: runtime delete failed', { containerId, error: err }))
        await runtime.purge?.(containerId).catch(() => undefined)
      }
      await rm(join(ws.bundleDir, 'config.json'), { force: true })
      const upper = this.deps.snapshotter.upperDir(ws.key)
      for (const m of missing) await rmdir(join(upper, m)).catch(() => undefined)
    }
  }

  private spec(ws: Workspace, proc: RunProcess): ReturnType<typeof ociSpec> {
    const [path, ...args] = proc.args
    const record = {
      id: proc.containerId,
      name: proc.containerId,
      spec: { image: '', env: [], workingDir: proc.cwd, host: { networkMode: proc.networkMode } },
      imageConfig: { Env: proc.env },
      path: path ?? '',
      args,
      rootfsPath: ws.rootfs,
      bundleDir: ws.bundleDir,
      hostnamePath: '',
      hostsPath: '',
      resolvConfPath: '',
    } as unknown as ContainerRecord
    const spec = ociSpec(record, proc.user, this.deps.specOptions)
    // No /etc/hosts, /etc/hostname or /etc/resolv.conf binds: with network "none" they serve no purpose.
    spec.mounts = (spec.mounts ?? []).filter((m: Mount) => m.source !== '')
    if (proc.script) {
      spec.mounts.push({ destination: `/dev/pipes/${proc.script.name}`, type: 'bind', source: join(ws.bundleDir, 'script'), options: ['bind', 'ro'] })
    }
    if (spec.process) spec.process.env = proc.env
    return spec
  }

  /** Removes snapshots, mounts and runtime state left by builds interrupted by a daemon crash. */
  async cleanup(): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.deps.workRoot)
    } catch {
      return
    }
    for (const key of names) {
      if (!/^b[0-9a-f]{32}$/.test(key)) continue
      const ws: Workspace = { key, rootfs: join(this.deps.workRoot, key, 'rootfs'), bundleDir: join(this.deps.workRoot, key) }
      try {
        const containerId = await readFile(join(ws.bundleDir, 'container-id'), 'utf8').catch(() => undefined)
        if (containerId) {
          await this.deps.runtime.delete(containerId, { force: true })
          await this.deps.runtime.purge?.(containerId)
        }
        await this.release(ws)
      } catch (err) {
        this.deps.logger.warn('build: removing a stale workspace failed', { key, error: err })
      }
    }
  }
}
