import { availableParallelism } from 'node:os'
import { mkdir, readFile, writeFile, rm } from 'node:fs/promises'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { newId, type IdMappings, type Logger, EngineError, writeFileAtomic } from '../common/index.js'
import { listenAll, type Listeners } from './listeners.js'
import { EventBus } from '../engine/events/index.js'
import { OverlaySnapshotter, type LayerUnpacker } from '../engine/layers/index.js'
import { findUnpackScript, layerUnpacker } from './unpack-child.js'
import { ImageStore, ImageCommitter, bootstrapBusybox, bootstrapRegistry, ImageArchives, ImageDistribution, type ImageRecord } from '../engine/images/index.js'
import { registryImageInputs } from './registry-image.js'
import { Builder, StepWorkspace, type RunNetwork } from '../engine/build/index.js'
import { ContainerCommit } from '../engine/commit/index.js'
import { HttpRegistryClient } from '../registry/index.js'
import { ContainerManager, ExecManager } from '../engine/containers/index.js'
import { LocalVolumeService, VolumeHooks } from '../engine/volumes/index.js'
import type { Engine } from '../engine/engine.js'
import { CLONED_BINARY_ENV, ConmonRuntime, scratchDirFor } from '../runtime/index.js'
import { MountHelper, resolveUsernsRemap, setupRemappedRoot, SpawnHelper, useMountHelper, useSpawnHelper } from '../sys/index.js'
import { ensureCgroupsForCrun, mountOverlay, mountFilesystem, unmount, isMountpoint, makeSpecialFiles, run, hostNofileHardLimit, boundingCapabilities, detectCgroups, detectCgroupFeatures, readCgroupStats, filterThrough } from '../sys/index.js'
import { createApiServer } from '../api/index.js'
import type { DaemonConfig } from './config.js'
import { hostSystemInfo, kernelHasSeccomp, securityOptions, BERTH_VERSION } from './system-info.js'
import { createNetworking } from './networking.js'
import { reloadConfig, type ReloadResult } from './reload.js'
import { createUrlFetcher } from './url-fetcher.js'

const runtimePaths = { crun: '/usr/bin/crun', runc: '/usr/sbin/runc' } as const

export interface Daemon {
  engine: Engine
  /** Binds every -H address; resolves with what each listener is bound to. */
  listen(): Promise<string[]>
  /** Stops serving; containers keep running under conmon. */
  close(): Promise<void>
  /** SIGHUP: applies the reloadable settings of `next` (see reload.ts). */
  reload(next: DaemonConfig, setLogLevel: (level: DaemonConfig['logLevel']) => void): ReloadResult
}

/** The composition root: the only place that knows every concrete class. */
export async function createDaemon(config: DaemonConfig, logger: Logger): Promise<Daemon> {
  /** As given (before the remapped data root replaces dataRoot): what a reload compares against. */
  let current = config
  // As dockerd: a remapped daemon keeps all its state in <data-root>/<uid>.<gid>, layers shifted to the mapped ids.
  const remap = config.usernsRemap ? await resolveUsernsRemap(config.usernsRemap) : undefined
  if (remap) {
    config = { ...config, dataRoot: await setupRemappedRoot(config.dataRoot, remap.root) }
    logger.info(`User namespaces: ID ranges will be mapped to subuid/subgid ranges of: ${remap.user}`, { root: `${remap.root.uid}:${remap.root.gid}` })
  }
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 })
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 })
  // Short commands (mount, ip, crun...) start through a small bash instead of a fork of berthd. Its
  // two output files per command go to a tmpfs (/dev/shm when the exec root is not one).
  const spawnDir = scratchDirFor(config.execRoot, 'spawn')
  // The runtime's commands (crun delete, kill...) run from its read-only mount: see CLONED_BINARY_ENV.
  const spawnHelper = new SpawnHelper(spawnDir, 'bash', CLONED_BINARY_ENV)
  // Also when berthd exits without close() (a failed start-up): /dev/shm is not cleaned like the exec root.
  const removeSpawnDir = (): void => rmSync(spawnDir, { recursive: true, force: true })
  process.once('exit', removeSpawnDir)
  useSpawnHelper(spawnHelper)
  // Container rootfs mounts and unmounts: mount(2) and umount2(2) from one perl, not a mount(8) each.
  const mountHelper = new MountHelper({ onUnavailable: (reason) => logger.warn(`mounting with mount(8): ${reason}`) })
  useMountHelper(mountHelper)

  const warnings: string[] = []
  let runtimeName = config.runtime
  const cg = await ensureCgroupsForCrun(logger)
  if (runtimeName === 'crun' && !cg.crunUsable) {
    logger.warn(`falling back to runc: ${cg.reason ?? 'crun cannot run on this cgroup layout'}`)
    warnings.push(`crun unusable here, using runc: ${cg.reason ?? ''}`)
    runtimeName = 'runc'
  }

  const events = new EventBus()
  const runtime = new ConmonRuntime({
    runtimePath: runtimePaths[runtimeName],
    runtimeName,
    conmonPath: '/usr/bin/conmon',
    root: join(config.execRoot, 'runtime'),
    logger,
  })
  const unpacker = layerUnpacker(logger, findUnpackScript())
  const snapshotter = new OverlaySnapshotter({
    layersRoot: join(config.dataRoot, 'layers'),
    snapshotsRoot: join(config.dataRoot, 'containers'),
    mounter: { mountOverlay, unmount, isMountpoint, makeSpecialFiles },
    idMappings: remap?.mappings,
    unpacker: unpacker.unpack,
  })
  const images = new ImageStore({ dataRoot: config.dataRoot, snapshotter, events })
  await images.load?.()
  const volumes = new LocalVolumeService({
    root: join(config.dataRoot, 'volumes'),
    rootOwner: remap?.root,
    events,
    logger,
    mounter: { mount: mountFilesystem, unmount: (target) => unmount(target), isMountpoint },
    containerVolumes: async () => (await containers.list({ all: true })).map((c) => ({
      id: c.id, volumeNames: (c.mountPoints ?? []).filter((m) => m.type === 'volume').map((m) => m.name),
    })),
  })
  const volumeHooks = new VolumeHooks({ volumes, events, logger, resolveContainer: (nameOrId) => containers.resolve(nameOrId) })
  const { networks, networking, runSandboxes } = await createNetworking(config, events, logger, () => containers)
  const containers: ContainerManager = new ContainerManager({
    dataRoot: config.dataRoot,
    runtime,
    snapshotter,
    images,
    events,
    logger,
    runtimeName,
    hostNofileLimit: await hostNofileHardLimit(),
    availableCapabilities: await boundingCapabilities(),
    hooks: [volumeHooks, networking],
    // Not across mounts: a rootfs whose unmount failed keeps its image layers out of reach.
    removeTree: async (path) => void (await run(['rm', '-rf', '--one-file-system', '--', path])),
    userns: remap?.mappings,
    attachedNetworks: (id) => networks.networksOf(id),
    ...(await cgroupDeps()),
  })
  await containers.restore()
  await networking.cleanupStale().catch((err: unknown) => logger.warn('removing stale network state failed', { error: err }))
  const execs = new ExecManager({
    containers,
    runtime,
    events,
    logger,
    availableCapabilities: await boundingCapabilities(),
    runPs: async (args) => {
      const res = await run(['ps', ...args], { check: false })
      return { exitCode: res.exitCode, stdout: res.stdout.toString(), stderr: res.stderr.toString() }
    },
  })
  // FROM an image that is not here pulls it, as Docker's builder does (distribution is made below; used only once serving).
  const builder = await createBuilder(config.dataRoot, {
    images, snapshotter, runtime, logger, idMappings: remap?.mappings, unpacker: unpacker.unpack, pullImage: (ref) => distribution.pull(ref),
    network: runSandboxes,
  })
  await mkdir(join(config.dataRoot, 'tmp'), { recursive: true })
  const commit = new ContainerCommit({
    containers, images, snapshotter, committer: new ImageCommitter(images, snapshotter, logger), logger,
    exec: async (argv) => {
      await run(argv)
    },
    workDir: join(config.dataRoot, 'tmp'),
    idMappings: remap?.mappings,
  })

  const engineId = await persistentId(join(config.dataRoot, 'engine-id'))
  const info = hostSystemInfo({
    id: engineId,
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    runtime: runtimeName,
    cgroupVersion: cg.layout === 'v2' ? '2' : '1',
    warnings,
    runtimeVersion: await firstLine([runtimePaths[runtimeName], '--version']),
    monitorVersion: await firstLine(['/usr/bin/conmon', '--version']),
    initBinary: '/usr/bin/tini-static',
    securityOptions: securityOptions({ seccomp: kernelHasSeccomp(), userns: remap !== undefined, cgroupns: false }),
    runtimePaths: { ...runtimePaths },
  })
  info.labels = config.labels ?? []
  info.debug = config.logLevel === 'debug'
  info.insecureRegistries = config.insecureRegistries ?? []
  const decompressor = (_kind: 'zstd', src: AsyncIterable<Buffer>): AsyncIterable<Buffer> => filterThrough(['zstd', '-dcq'], src)
  const registry = new HttpRegistryClient({ insecureRegistries: config.insecureRegistries ?? [], certsDir: '/etc/docker/certs.d', userAgent: `berth/${BERTH_VERSION}`, loopbackOnly: config.loopbackRegistriesOnly ?? false })
  const transfers = { downloads: config.maxConcurrentDownloads ?? 3, uploads: config.maxConcurrentUploads ?? 5 }
  const distribution = new ImageDistribution({ store: images, dataRoot: config.dataRoot, registry, decompressor, transfers })
  const archives = new ImageArchives({ store: images, dataRoot: config.dataRoot, decompressor, afterPrune: () => distribution.collectGarbage() })
  const engine: Engine = {
    containers,
    execs,
    images,
    volumes,
    networks,
    events,
    distribution,
    archives,
    builder,
    commit,
    async systemInfo() {
      const all = await containers.list({ all: true })
      const count = (s: string): number => all.filter((c) => c.state.status === s).length
      return {
        ...info,
        containers: all.length,
        running: count('running'),
        paused: count('paused'),
        stopped: all.length - count('running') - count('paused'),
        images: (await images.list()).length,
      }
    },
    async bootstrapImage(name: string) {
      if (name === 'registry') return bootstrapRegistry(images, await registryImageInputs())
      if (name !== 'busybox') throw new EngineError('InvalidArgument', 'UNKNOWN_BOOTSTRAP', `Cannot bootstrap "${name}": only busybox and registry are supported`)
      return bootstrapBusybox(images, {
        busyboxPath: '/bin/busybox',
        listApplets: async () => (await run(['/bin/busybox', '--list'])).stdout.toString().split('\n').filter(Boolean),
      })
    },
  }

  const server = createApiServer({ engine, logger, versionInfo: { version: BERTH_VERSION } })
  let listeners: Listeners | undefined

  return {
    engine,
    async listen() {
      listeners = await listenAll(server, config.hosts, { group: config.group, tls: config.tls, insecureTcpAllowed: config.insecureTcpAllowed }, logger)
      await writeFile(config.pidfile, `${process.pid}`)
      return listeners.addresses
    },
    reload(next, setLogLevel) {
      const result = reloadConfig(current, next, {
        setLogLevel,
        setDebug: (debug) => (info.debug = debug),
        setLabels: (labels) => (info.labels = labels),
        setInsecureRegistries: (registries) => {
          registry.setInsecureRegistries(registries)
          info.insecureRegistries = registries
        },
        setTransfers: (limits) => Object.assign(transfers, limits),
        publishReload: (attributes) => events.publish('daemon', 'reload', engineId, { ...attributes, name: info.name }),
      })
      current = result.config
      return result
    },
    async close() {
      await listeners?.close()
      // Streams such as `logs -f` would hold close() open forever; containers keep running regardless.
      server.closeAllConnections()
      unpacker.close()
      containers.close()
      await runSandboxes.close()
      await networks.close()
      await runtime.close()
      await rm(config.pidfile, { force: true })
      useSpawnHelper(undefined)
      spawnHelper.close()
      useMountHelper(undefined)
      mountHelper.close()
      process.off('exit', removeSpawnDir)
      await rm(spawnDir, { recursive: true, force: true })
    },
  }
}

/** The Dockerfile builder: its own snapshots under <data>/build/work, layers shared with the images. */
async function createBuilder(
  dataRoot: string,
  deps: {
    images: ImageStore; snapshotter: OverlaySnapshotter; runtime: ConmonRuntime; logger: Logger; idMappings?: IdMappings
    unpacker?: LayerUnpacker
    network?: RunNetwork
    pullImage?: (ref: string) => Promise<ImageRecord>
  },
): Promise<Builder> {
  const buildRoot = join(dataRoot, 'build')
  const workRoot = join(buildRoot, 'work')
  const exec = async (argv: string[]): Promise<void> => {
    await run(argv)
  }
  const workspace = new StepWorkspace({
    workRoot,
    snapshotter: new OverlaySnapshotter({
      layersRoot: join(dataRoot, 'layers'),
      snapshotsRoot: workRoot,
      mounter: { mountOverlay, unmount, isMountpoint, makeSpecialFiles },
      idMappings: deps.idMappings,
      unpacker: deps.unpacker,
    }),
    runtime: deps.runtime,
    committer: new ImageCommitter(deps.images, deps.snapshotter, deps.logger),
    exec,
    specOptions: { hostNofileLimit: await hostNofileHardLimit(), availableCapabilities: await boundingCapabilities() },
    logger: deps.logger,
    idMappings: deps.idMappings,
    ...(deps.network ? { network: deps.network } : {}),
  })
  const builder = new Builder({
    root: buildRoot,
    images: deps.images,
    committer: new ImageCommitter(deps.images, deps.snapshotter, deps.logger),
    workspace,
    exec,
    logger: deps.logger,
    pullImage: deps.pullImage,
    fetchUrl: createUrlFetcher({ extraCaFile: () => process.env.NODE_EXTRA_CA_CERTS }),
  })
  await builder.cleanup()
  return builder
}

async function firstLine(argv: string[]): Promise<string | undefined> {
  try {
    return (await run(argv, { timeoutMs: 2000 })).stdout.toString().split('\n')[0]?.trim()
  } catch {
    return undefined
  }
}

async function persistentId(path: string): Promise<string> {
  if (existsSync(path)) return (await readFile(path, 'utf8')).trim()
  const id = newId()
  await writeFileAtomic(path, id)
  return id
}


/** Cgroup facts and the stats reader for the container manager (read once: the layout does not change). */
async function cgroupDeps(): Promise<{ hostResources: { ncpu: number; blkioWeight: boolean; swapLimit: boolean }; readCgroupStats: (path: string) => ReturnType<typeof readCgroupStats> }> {
  const info = await detectCgroups()
  const features = await detectCgroupFeatures(info)
  return {
    hostResources: { ncpu: availableParallelism(), ...features },
    readCgroupStats: (path) => readCgroupStats(path, info),
  }
}
