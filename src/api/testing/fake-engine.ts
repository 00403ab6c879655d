import { EngineError, newId, sha256, type Digest } from '../../common/index.js'
import type { Engine } from '../../engine/engine.js'
import { EventBus } from '../../engine/events/index.js'
import { FakeVolumes } from './fake-volumes.js'
import type {
  ContainerAttachment, ContainerListOptions, ContainerRecord, ContainerService, ContainerSpec, ContainerStatsSample, LogEntry, LogsOptions,
  WaitCondition,
} from '../../engine/containers/index.js'
import type { ImageConfigBlob, ImageDeleteResult, ImageListOptions, ImageRecord, ImageService } from '../../engine/images/index.js'
import type { SystemInfo } from '../../engine/system.js'

/**
 * In-memory Engine for API tests: Maps instead of disks, no processes. A "started" container
 * produces `script.output` on its attachments and logs, then exits with `script.exitCode` unless
 * `script.keepRunning` is set. Records every call so tests can assert what reached the engine.
 */
export interface FakeScript {
  output: Array<{ stream: 'stdout' | 'stderr'; text: string }>
  exitCode: number
  keepRunning: boolean
}

const zeroTime = '0001-01-01T00:00:00Z'

function normalize(ref: string): string {
  let r = ref
  if (!/[:@]/.test(r.split('/').pop() ?? '')) r += ':latest'
  const first = r.split('/')[0] ?? ''
  if (!r.includes('/') || !/[.:]|^localhost$/.test(first)) r = (r.includes('/') ? 'docker.io/' : 'docker.io/library/') + r
  return r
}

export class FakeImages implements ImageService {
  readonly images = new Map<Digest, ImageRecord>()
  lastListOptions: ImageListOptions | undefined

  add(ref: string | undefined, config: Omit<ImageConfigBlob, 'rootfs'> & { rootfs?: ImageConfigBlob['rootfs'] }, size = 1024): ImageRecord {
    const full: ImageConfigBlob = { rootfs: { type: 'layers', diff_ids: [sha256(`layer-${ref}`)] }, ...config }
    const id = sha256(JSON.stringify(full))
    const existing = this.images.get(id)
    const record: ImageRecord = existing ?? {
      id, repoTags: [], repoDigests: [], config: full, topChainId: undefined, size, loadedAt: new Date().toISOString(),
    }
    if (ref) {
      const norm = normalize(ref)
      for (const other of this.images.values()) other.repoTags = other.repoTags.filter((t) => t !== norm)
      record.repoTags.push(norm)
    }
    this.images.set(id, record)
    return record
  }

  async resolve(ref: string): Promise<ImageRecord> {
    const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref
    for (const img of this.images.values()) if (img.id.slice(7).startsWith(hex) && /^[0-9a-f]+$/.test(hex)) return img
    const norm = normalize(ref)
    for (const img of this.images.values()) if (img.repoTags.includes(norm)) return img
    throw new EngineError('NotFound', 'IMAGE_NOT_FOUND', `No such image: ${ref}`)
  }

  async list(opts?: ImageListOptions): Promise<ImageRecord[]> {
    this.lastListOptions = opts
    return [...this.images.values()]
  }

  async tag(source: string, target: string): Promise<void> {
    const img = await this.resolve(source)
    const norm = normalize(target)
    for (const other of this.images.values()) other.repoTags = other.repoTags.filter((t) => t !== norm)
    img.repoTags.push(norm)
  }

  async remove(ref: string, opts: { force?: boolean; noPrune?: boolean; isUsedByContainer: (imageId: string) => boolean }): Promise<ImageDeleteResult> {
    const img = await this.resolve(ref)
    if (!opts.force && opts.isUsedByContainer(img.id)) {
      throw new EngineError('Conflict', 'IMAGE_IN_USE', `conflict: unable to remove repository reference "${ref}" (must force) - container is using its referenced image ${img.id.slice(7, 19)}`)
    }
    const norm = normalize(ref)
    if (img.repoTags.includes(norm) && img.repoTags.length > 1) {
      img.repoTags = img.repoTags.filter((t) => t !== norm)
      return { untagged: [norm], deleted: [] }
    }
    this.images.delete(img.id)
    return { untagged: img.repoTags, deleted: [img.id] }
  }

  async history(ref: string): Promise<Array<{ id: string; created: number; createdBy: string; tags: string[]; size: number; comment: string }>> {
    const img = await this.resolve(ref)
    return [{ id: img.id, created: Math.floor(Date.parse(img.config.created ?? '1970-01-01T00:00:00Z') / 1000), createdBy: 'fake', tags: img.repoTags, size: img.size, comment: '' }]
  }

  async importTar(tar: NodeJS.ReadableStream, opts: { repoTag?: string; message?: string; changes?: string[] }): Promise<ImageRecord> {
    let size = 0
    for await (const chunk of tar) size += (chunk as Buffer).length
    const cmd = opts.changes?.find((c) => c.startsWith('CMD '))
    return this.add(opts.repoTag, {
      architecture: 'amd64', os: 'linux', created: new Date().toISOString(), comment: opts.message,
      config: cmd ? { Cmd: JSON.parse(cmd.slice(4)) as string[] } : {},
      rootfs: { type: 'layers', diff_ids: [sha256(`import-${size}-${Date.now()}`)] },
    }, size)
  }

  async createFromLayers(_layers: NodeJS.ReadableStream[], config: Omit<ImageConfigBlob, 'rootfs'>, repoTag?: string): Promise<ImageRecord> {
    return this.add(repoTag, config)
  }
}

interface FakeContainer {
  record: ContainerRecord
  log: LogEntry[]
  attachments: Set<{ data: Array<(s: 1 | 2, d: Buffer) => void>; end: Array<() => void>; stdin: Buffer[] }>
  exitWaiters: Array<() => void>
}

export class FakeContainers implements ContainerService {
  readonly containers = new Map<string, FakeContainer>()
  /** Every call as [method, ...args], for assertions. */
  readonly calls: Array<[string, ...unknown[]]> = []
  script: FakeScript = { output: [], exitCode: 0, keepRunning: false }
  /** Bytes written to the container's stdin through attachments. */
  readonly stdin: Buffer[] = []

  constructor(private readonly images: FakeImages, private readonly events: EventBus) {}

  async create(spec: ContainerSpec, name?: string): Promise<{ id: string; warnings: string[] }> {
    this.calls.push(['create', spec, name])
    const image = await this.images.resolve(spec.image)
    const containerName = name ?? `fake_${this.containers.size + 1}`
    for (const c of this.containers.values()) {
      if (c.record.name === containerName) throw new EngineError('Conflict', 'NAME_IN_USE', `Conflict. The container name "/${containerName}" is already in use by container "${c.record.id}". You have to remove (or rename) that container to be able to reuse that name.`)
    }
    const id = newId()
    const ic = image.config.config ?? {}
    const entrypoint = spec.entrypoint ?? ic.Entrypoint ?? []
    const cmd = spec.cmd ?? (spec.entrypoint ? [] : ic.Cmd ?? [])
    const argv = [...entrypoint, ...cmd]
    const dir = `/fake/containers/${id}`
    const record: ContainerRecord = {
      id, name: containerName, created: new Date().toISOString(), imageId: image.id, spec, imageConfig: ic,
      path: argv[0] ?? '', args: argv.slice(1),
      state: { status: 'created', running: false, paused: false, restarting: false, oomKilled: false, dead: false, pid: 0, exitCode: 0, error: '', startedAt: zeroTime, finishedAt: zeroTime },
      restartCount: 0, rootfsPath: `${dir}/rootfs`, bundleDir: dir, logPath: `${dir}/container.log`,
      hostnamePath: `${dir}/hostname`, hostsPath: `${dir}/hosts`, resolvConfPath: `${dir}/resolv.conf`, runtime: 'crun',
    }
    this.containers.set(id, { record, log: [], attachments: new Set(), exitWaiters: [] })
    this.events.publish('container', 'create', id, { image: spec.image, name: containerName })
    return { id, warnings: [] }
  }

  private get(nameOrId: string): FakeContainer {
    const key = nameOrId.replace(/^\//, '')
    for (const c of this.containers.values()) if (c.record.id === key || c.record.name === key) return c
    const byPrefix = [...this.containers.values()].filter((c) => c.record.id.startsWith(key))
    if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0]
    throw new EngineError('NotFound', 'CONTAINER_NOT_FOUND', `No such container: ${nameOrId}`)
  }

  async resolve(nameOrId: string): Promise<ContainerRecord> {
    return this.get(nameOrId).record
  }

  async list(opts?: ContainerListOptions): Promise<ContainerRecord[]> {
    this.calls.push(['list', opts])
    let out = [...this.containers.values()].map((c) => c.record)
    if (!opts?.all) out = out.filter((r) => r.state.running)
    const status = opts?.filters?.status
    if (status?.length) out = out.filter((r) => status.includes(r.state.status))
    return opts?.limit ? out.slice(0, opts.limit) : out
  }

  async start(nameOrId: string): Promise<void> {
    const c = this.get(nameOrId)
    const s = c.record.state
    if (s.running) throw new EngineError('NotModified', 'ALREADY_RUNNING', 'container already started')
    Object.assign(s, { status: 'running', running: true, pid: 4242, startedAt: new Date().toISOString(), finishedAt: zeroTime })
    this.events.publish('container', 'start', c.record.id, { image: c.record.spec.image, name: c.record.name })
    // Output and exit happen after start returns, as with a real process.
    setImmediate(() => {
      for (const { stream, text } of this.script.output) {
        const line = Buffer.from(text)
        c.log.push({ stream, time: new Date().toISOString(), line })
        for (const a of c.attachments) for (const l of a.data) l(stream === 'stdout' ? 1 : 2, line)
      }
      if (!this.script.keepRunning) this.exit(c, this.script.exitCode)
    })
  }

  private exit(c: FakeContainer, code: number): void {
    if (!c.record.state.running) return
    Object.assign(c.record.state, { status: 'exited', running: false, pid: 0, exitCode: code, finishedAt: new Date().toISOString() })
    this.events.publish('container', 'die', c.record.id, { exitCode: String(code), image: c.record.spec.image, name: c.record.name })
    for (const a of c.attachments) for (const l of a.end) l()
    c.attachments.clear()
    for (const w of c.exitWaiters.splice(0)) w()
  }

  async stop(nameOrId: string, opts?: { timeout?: number; signal?: string }): Promise<void> {
    this.calls.push(['stop', nameOrId, opts])
    const c = this.get(nameOrId)
    if (!c.record.state.running) throw new EngineError('NotModified', 'NOT_RUNNING', 'container already stopped')
    this.exit(c, 137)
  }

  async restart(nameOrId: string, opts?: { timeout?: number; signal?: string }): Promise<void> {
    const c = this.get(nameOrId)
    if (c.record.state.running) this.exit(c, 137)
    this.calls.push(['restart', nameOrId, opts])
    await this.start(nameOrId)
  }

  async kill(nameOrId: string, signal?: string): Promise<void> {
    this.calls.push(['kill', nameOrId, signal])
    const c = this.get(nameOrId)
    if (!c.record.state.running) throw new EngineError('Conflict', 'NOT_RUNNING', `Container ${c.record.id} is not running`)
    this.exit(c, 137)
  }

  async wait(nameOrId: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<{ statusCode: number; error?: string }> {
    const c = this.get(nameOrId)
    if (condition === 'not-running' && !c.record.state.running) return { statusCode: c.record.state.exitCode }
    await new Promise<void>((resolve, reject) => {
      c.exitWaiters.push(resolve)
      signal?.addEventListener('abort', () => reject(new EngineError('Unavailable', 'ABORTED', 'wait aborted')), { once: true })
    })
    return { statusCode: c.record.state.exitCode }
  }

  async remove(nameOrId: string, opts?: { force?: boolean; removeVolumes?: boolean }): Promise<void> {
    const c = this.get(nameOrId)
    if (c.record.state.running && !opts?.force) {
      throw new EngineError('Conflict', 'CONTAINER_RUNNING', `cannot remove container "/${c.record.name}": container is running: stop the container before removing or force remove`)
    }
    this.exit(c, 137)
    this.containers.delete(c.record.id)
    this.events.publish('container', 'destroy', c.record.id, { image: c.record.spec.image, name: c.record.name })
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    this.get(nameOrId).record.name = newName.replace(/^\//, '')
  }

  async *logs(nameOrId: string, opts: LogsOptions): AsyncIterable<LogEntry[]> {
    this.calls.push(['logs', nameOrId, { ...opts, signal: undefined }])
    const c = this.get(nameOrId)
    let entries = c.log.filter((e) => (e.stream === 'stdout' ? opts.stdout : opts.stderr))
    if (typeof opts.tail === 'number') entries = opts.tail === 0 ? [] : entries.slice(-opts.tail)
    // Two batches when there is more than one entry, so callers are exercised across batches.
    if (entries.length > 1) yield entries.slice(0, 1)
    if (entries.length > 0) yield entries.length > 1 ? entries.slice(1) : entries
  }

  async attach(nameOrId: string, opts: { stdin: boolean; stdout: boolean; stderr: boolean }): Promise<ContainerAttachment> {
    this.calls.push(['attach', nameOrId, opts])
    const c = this.get(nameOrId)
    const a = { data: [] as Array<(s: 1 | 2, d: Buffer) => void>, end: [] as Array<() => void>, stdin: [] as Buffer[] }
    c.attachments.add(a)
    return {
      onData: (l) => a.data.push((s, d) => ((s === 1 ? opts.stdout : opts.stderr) ? l(s, d) : undefined)),
      onEnd: (l) => a.end.push(l),
      write: (data) => this.stdin.push(data),
      close: () => c.attachments.delete(a),
    }
  }

  async resize(nameOrId: string, rows: number, cols: number): Promise<void> {
    this.calls.push(['resize', nameOrId, rows, cols])
    this.get(nameOrId)
  }

  isImageUsed(imageId: string): boolean {
    return this.containerUsingImage(imageId) !== undefined
  }

  containerUsingImage(imageId: string): { containerId: string; running: boolean } | undefined {
    const c = [...this.containers.values()].find((x) => x.record.imageId === imageId)
    return c && { containerId: c.record.id, running: c.record.state.running }
  }

  async restore(): Promise<void> {}

  async pause(nameOrId: string): Promise<void> {
    this.calls.push(['pause', nameOrId])
    this.get(nameOrId)
  }

  async unpause(nameOrId: string): Promise<void> {
    this.calls.push(['unpause', nameOrId])
    this.get(nameOrId)
  }

  async update(nameOrId: string, update: Record<string, unknown>): Promise<{ warnings: string[] }> {
    this.calls.push(['update', nameOrId, update])
    this.get(nameOrId)
    return { warnings: [] }
  }

  async sizes(nameOrId: string): Promise<{ sizeRw: number; sizeRootFs: number }> {
    this.calls.push(['sizes', nameOrId])
    this.get(nameOrId)
    return { sizeRw: 0, sizeRootFs: 0 }
  }

  async prune(filters?: Record<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    this.calls.push(['prune', filters])
    return { deleted: [], spaceReclaimed: 0 }
  }

  async stats(nameOrId: string): Promise<ContainerStatsSample> {
    this.calls.push(['stats', nameOrId])
    const { record } = this.get(nameOrId)
    return { id: record.id, name: record.name, read: new Date() }
  }
}

export interface FakeEngine extends Engine {
  containers: FakeContainers
  images: FakeImages
  volumes: FakeVolumes
}

export function createFakeEngine(info: Partial<SystemInfo> = {}): FakeEngine {
  const events = new EventBus()
  const images = new FakeImages()
  const containers = new FakeContainers(images, events)
  const volumes = new FakeVolumes(events)
  const base: SystemInfo = {
    id: 'BRTH:FAKE:0000', name: 'fakehost', version: '0.1.0', apiVersion: '1.50', minApiVersion: '1.24', gitCommit: 'abc1234',
    kernelVersion: '6.1.0-test', operatingSystem: 'Debian GNU/Linux 12 (bookworm)', osType: 'linux', architecture: 'x86_64',
    ncpu: 4, memTotal: 8 * 1024 ** 3, dataRoot: '/var/lib/berth', execRoot: '/run/berth', defaultRuntime: 'crun',
    runtimes: ['crun', 'runc'], cgroupDriver: 'cgroupfs', cgroupVersion: '1', storageDriver: 'overlayfs',
    loggingDriver: 'k8s-file', warnings: [], ...info,
  }
  return {
    containers, images, volumes, events,
    async bootstrapImage(name: string) {
      if (name !== 'busybox') throw new EngineError('InvalidArgument', 'NO_BOOTSTRAP', `Cannot bootstrap "${name}": only "busybox" can be built offline`)
      return images.add('busybox', { architecture: 'amd64', os: 'linux', created: new Date().toISOString(), config: { Cmd: ['sh'], Env: ['PATH=/bin'] } })
    },
    async systemInfo() {
      const all = [...containers.containers.values()].map((c) => c.record.state)
      const running = all.filter((s) => s.running && !s.paused).length
      const paused = all.filter((s) => s.paused).length
      return { ...base, containers: all.length, running, paused, stopped: all.length - running - paused, images: images.images.size }
    },
  }
}
