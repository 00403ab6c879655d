/**
 * StepWorkspace: the filesystem side of build steps. A step gets a writable overlay snapshot of its
 * parent layer chain, mounted in a builder-owned bundle dir (<data>/build/work/<key>/rootfs); RUN
 * executes there as a real container (conmon + crun, never listed as a container), and afterwards
 * exactly the snapshot's upper dir is committed as the step's layer. Whatever happens (failure,
 * abort), the container, the mount and the snapshot are gone when a call returns; cleanup() removes
 * what a daemon crash left.
 */
import { writeFileSync } from 'node:fs'
import { readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { writeFileAtomic, writeJsonAtomic, type Digest, type IdMappings, type Logger, type Mount } from '../../common/index.js'
import { withUpperDirLayer, type Snapshotter } from '../layers/index.js'
import { buildHosts, ociSpec, type ContainerRecord, type OciSpecOptions, type ResolvedUser } from '../containers/index.js'
import type { OciRuntime } from '../../runtime/oci-runtime.js'
import type { LentNetwork, RunNetwork } from './run-network.js'
import { etcMountPoints, missingMountPoints, removeEtcStubs, type EtcMountPoints } from './run-mount-points.js'
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
  /** Where RUN steps of network mode "default" get their network (without it, an empty namespace of their own). */
  network?: RunNetwork
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
   * "default": a namespace on the default bridge lent by deps.network, with /etc/hosts and
   * /etc/resolv.conf for it, as Docker's RUN has; "none": an empty namespace of its own (loopback only).
   */
  networkMode: 'default' | 'none'
  /** A heredoc script run as a file: bind-mounted read-only at /dev/pipes/<name>, never in the layer. */
  script?: { name: string; content: string }
}

/** The network side of a RUN's bundle: the namespace to join, the etc files to bind (paths in the bundle). */
interface RunNetworkFiles {
  netnsPath: string
  hostsPath?: string
  resolvConfPath?: string
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
      return withUpperDirLayer(upper, join(ws.bundleDir, 'diff.tar'), this.deps.exec, (layer) => this.deps.committer.commitLayer(parentChainId, layer), { ...opts, idMappings: this.deps.idMappings, reuseDir: true })
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
    // Volatile: a workspace never outlives the daemon (cleanup() deletes it), so overlay need not
    // sync the whole upper filesystem when it is unmounted. A layer made of it (the upper dir itself, or
    // the blob unpacked) is no less durable for it: the blob is fsynced by the content store, and layer
    // dirs were never synced. A read-only mount does not sync anyway.
    await this.deps.snapshotter.prepare(key, parentChainId, { volatile: true })
    try {
      await this.deps.snapshotter.mount(key, rootfs, readonly ? { readonly } : { volatile: true })
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
    signal?.throwIfAborted()
    // Lent meanwhile (an idle namespace at once; never rejects: without one the RUN has none).
    const lending = proc.networkMode === 'default' ? this.lendNetwork(containerId) : undefined
    const missing = missingMountPoints(ws.rootfs)
    const etc = lending ? etcMountPoints(ws.rootfs) : undefined
    try {
      if (proc.script) await writeFile(join(ws.bundleDir, 'script'), proc.script.content, { mode: 0o755 })
      const lent = await lending
      const spec = this.spec(ws, proc, lent && etc ? this.networkFiles(ws, containerId, lent, etc) : undefined)
      // The same filter as every container of the profile: the runtime hands over the one it compiled.
      const annotations = runtime.specAnnotations?.(containerId, spec)
      if (annotations) spec.annotations = { ...spec.annotations, ...annotations }
      // The bundle lives only as long as this call: nothing to sync. container-id lets cleanup() find the
      // container if the daemon dies while it runs.
      await writeJsonAtomic(join(ws.bundleDir, 'config.json'), spec, { durable: false })
      await writeFileAtomic(join(ws.bundleDir, 'container-id'), containerId, { durable: false })
      return runtime.runForeground
        ? await this.runForeground(runtime.runForeground, ws, containerId, onOutput, signal)
        : await this.runMonitored(ws, containerId, onOutput, signal)
    } finally {
      // The container is gone: the namespace may serve the next RUN.
      const lent = await lending
      lent?.release()
      const upper = this.deps.snapshotter.upperDir(ws.key)
      if (lent && etc) await removeEtcStubs(upper, etc)
      for (const m of missing) await rmdir(join(upper, m)).catch(() => undefined)
    }
  }

  /** A namespace on the default bridge from deps.network; without one the RUN gets an empty namespace of its own. */
  private async lendNetwork(containerId: string): Promise<LentNetwork | undefined> {
    if (!this.deps.network) return undefined
    try {
      return await this.deps.network.acquire()
    } catch (err) {
      this.deps.logger.warn('build: RUN gets no network (loopback only)', { containerId, error: err })
      return undefined
    }
  }

  /** Writes the RUN's /etc/hosts and /etc/resolv.conf for `lent` into the bundle: what spec() binds. */
  private networkFiles(ws: Workspace, containerId: string, lent: LentNetwork, etc: EtcMountPoints): RunNetworkFiles {
    const files: RunNetworkFiles = { netnsPath: lent.netnsPath }
    if (etc.bind.includes('hosts')) {
      // The hostname ociSpec gives the RUN container, with its address, as in a container's /etc/hosts.
      const hostname = containerId.slice(0, 12)
      files.hostsPath = join(ws.bundleDir, 'hosts')
      writeFileSync(files.hostsPath, buildHosts({ hostNetwork: false, hostname, addresses: [lent.ipv4, ...(lent.ipv6 ? [lent.ipv6] : [])] }))
    }
    if (etc.bind.includes('resolv.conf')) {
      files.resolvConfPath = join(ws.bundleDir, 'resolv.conf')
      writeFileSync(files.resolvConfPath, lent.resolvConf)
    }
    return files
  }

  /**
   * run() by the runtime's foreground run: one runtime process that creates, starts, waits and deletes
   * (no monitor, attach socket, exit file or delete to run). On abort the container is killed, and the
   * call returns once the runtime has deleted it.
   */
  private async runForeground(
    runForeground: NonNullable<OciRuntime['runForeground']>, ws: Workspace, containerId: string,
    onOutput: (stream: 1 | 2, data: Buffer) => void, signal: AbortSignal | undefined,
  ): Promise<number> {
    const { runtime } = this.deps
    const proc = await runForeground({ containerId, bundleDir: ws.bundleDir })
    proc.attach.onData(onOutput)
    const kill = (): void => {
      // Killed, the runtime deletes the container; a delete is the fallback when the kill fails.
      runtime.kill(containerId, 'KILL').catch(() => runtime.delete(containerId, { force: true })).catch((err: unknown) => {
        this.deps.logger.warn('build: killing an aborted RUN failed', { containerId, error: err })
      })
    }
    signal?.addEventListener('abort', kill, { once: true })
    try {
      if (signal?.aborted) kill()
      const exitCode = await proc.exited
      signal?.throwIfAborted()
      return exitCode
    } finally {
      signal?.removeEventListener('abort', kill)
    }
  }

  /** run() through the runtime's monitor: create, attach, start, wait for the exit file, delete. */
  private async runMonitored(ws: Workspace, containerId: string, onOutput: (stream: 1 | 2, data: Buffer) => void, signal?: AbortSignal): Promise<number> {
    const { runtime } = this.deps
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
    }
  }

  private spec(ws: Workspace, proc: RunProcess, network?: RunNetworkFiles): ReturnType<typeof ociSpec> {
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
      hostsPath: network?.hostsPath ?? '',
      resolvConfPath: network?.resolvConfPath ?? '',
    } as unknown as ContainerRecord
    const spec = ociSpec(record, proc.user, { ...this.deps.specOptions, ...(network ? { networkNamespacePath: network.netnsPath } : {}) })
    // The etc files without a source are not bound: /etc/hostname never (as BuildKit), /etc/hosts and
    // /etc/resolv.conf only on a network (with "none" they serve no purpose) and where the rootfs allows.
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
