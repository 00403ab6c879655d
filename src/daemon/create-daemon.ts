import { mkdir, readFile, writeFile, rm, chmod, chown } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { newId, type Logger, EngineError, writeFileAtomic } from '../common/index.js'
import { EventBus } from '../engine/events/index.js'
import { OverlaySnapshotter } from '../engine/layers/index.js'
import { ImageStore, bootstrapBusybox, ImageArchives, ImageDistribution } from '../engine/images/index.js'
import { HttpRegistryClient } from '../registry/index.js'
import { ContainerManager } from '../engine/containers/index.js'
import type { Engine } from '../engine/engine.js'
import { ConmonRuntime } from '../runtime/index.js'
import { ensureCgroupsForCrun, mountOverlay, unmount, isMountpoint, makeSpecialFiles, run, hostNofileHardLimit, boundingCapabilities, filterThrough } from '../sys/index.js'
import { createApiServer } from '../api/index.js'
import type { DaemonConfig } from './config.js'
import { hostSystemInfo, BERTH_VERSION } from './system-info.js'

const runtimePaths = { crun: '/usr/bin/crun', runc: '/usr/sbin/runc' } as const

export interface Daemon {
  engine: Engine
  /** Binds every -H address. */
  listen(): Promise<void>
  /** Stops serving; containers keep running under conmon. */
  close(): Promise<void>
}

/** The composition root: the only place that knows every concrete class. */
export async function createDaemon(config: DaemonConfig, logger: Logger): Promise<Daemon> {
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 })
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 })

  const warnings: string[] = ['No bridge networking yet: containers default to network mode "none"']
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
  const snapshotter = new OverlaySnapshotter({
    layersRoot: join(config.dataRoot, 'layers'),
    snapshotsRoot: join(config.dataRoot, 'containers'),
    mounter: { mountOverlay, unmount, isMountpoint, makeSpecialFiles },
  })
  const images = new ImageStore({ dataRoot: config.dataRoot, snapshotter, events })
  await images.load?.()
  const containers = new ContainerManager({
    dataRoot: config.dataRoot,
    runtime,
    snapshotter,
    images,
    events,
    logger,
    runtimeName,
    hostNofileLimit: await hostNofileHardLimit(),
    availableCapabilities: await boundingCapabilities(),
  })
  await containers.restore()

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
  })
  const decompressor = (_kind: 'zstd', src: AsyncIterable<Buffer>): AsyncIterable<Buffer> => filterThrough(['zstd', '-dcq'], src)
  const registry = new HttpRegistryClient({ insecureRegistries: config.insecureRegistries ?? [], certsDir: '/etc/docker/certs.d', userAgent: `berth/${BERTH_VERSION}`, loopbackOnly: config.loopbackRegistriesOnly ?? false })
  const distribution = new ImageDistribution({ store: images, dataRoot: config.dataRoot, registry, decompressor })
  const archives = new ImageArchives({ store: images, dataRoot: config.dataRoot, decompressor, afterPrune: () => distribution.collectGarbage() })
  const engine: Engine = {
    containers,
    images,
    events,
    distribution,
    archives,
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
      if (name !== 'busybox') throw new EngineError('InvalidArgument', 'UNKNOWN_BOOTSTRAP', `Cannot bootstrap "${name}": only busybox is supported`)
      return bootstrapBusybox(images, {
        busyboxPath: '/bin/busybox',
        listApplets: async () => (await run(['/bin/busybox', '--list'])).stdout.toString().split('\n').filter(Boolean),
      })
    },
  }

  const server = createApiServer({ engine, logger, versionInfo: { version: BERTH_VERSION } })
  const bound: Server[] = []

  return {
    engine,
    async listen() {
      for (const host of config.hosts) {
        if (!host.startsWith('unix://')) throw new EngineError('InvalidArgument', 'BAD_HOST', `unsupported host "${host}": only unix:// sockets for now`)
        const path = host.slice('unix://'.length)
        await rm(path, { force: true })
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          server.listen(path, () => {
            server.off('error', reject)
            resolve()
          })
        })
        await chmod(path, 0o660)
        if (config.group) await chownGroup(path, config.group, logger)
        bound.push(server)
        logger.info(`API listen on ${path}`)
      }
      await writeFile(config.pidfile, `${process.pid}`)
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Streams such as `logs -f` would hold close() open forever; containers keep running regardless.
      server.closeAllConnections()
      containers.close()
      await closed
      await rm(config.pidfile, { force: true })
    },
  }
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

async function chownGroup(path: string, group: string, logger: Logger): Promise<void> {
  const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.startsWith(`${group}:`))
  const gid = line ? Number(line.split(':')[2]) : Number(group)
  if (!Number.isInteger(gid)) {
    logger.warn(`group "${group}" not found: the socket stays root-owned`)
    return
  }
  await chown(path, 0, gid)
}
