/**
 * `docker commit`: a new image from a container's changes. The upper dir becomes one layer (OCI
 * whiteouts, as the builder's steps), on top of the container's image; the config is the image's
 * with the container's Cmd/Entrypoint/Env/... (as dockerd merges them), then the `changes`
 * (Dockerfile instructions, as `import --change`) and the request's config. The container is paused
 * while its upper dir is read unless pause=false.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, type Digest, type IdMappings, type Logger, isoTime } from '../../common/index.js'
import { withUpperDirLayer, type Snapshotter } from '../layers/index.js'
import { applyChanges, type ImageCommitter, type ImageConfigBlob, type ImageRecord, type ImageRuntimeConfig, type ImageService } from '../images/index.js'
import type { ContainerRecord, ContainerService } from '../containers/index.js'

export interface CommitRequest {
  container: string
  /** "repo[:tag]" to tag the new image with; none = an untagged image. */
  reference?: string
  comment?: string
  author?: string
  /** Pause a running container while its changes are read (default true, as Docker). */
  pause?: boolean
  /** Dockerfile instructions (CMD, ENV, LABEL, ...), as `docker commit -c`. */
  changes?: string[]
  /** Config fields from the request body that override the merged config. */
  config?: Partial<ImageRuntimeConfig>
}

export interface ContainerCommitDeps {
  containers: Pick<ContainerService, 'resolve' | 'pause' | 'unpause'>
  images: Pick<ImageService, 'resolve'>
  snapshotter: Snapshotter
  committer: ImageCommitter
  /** Runs argv (GNU tar reading the upper dir); rejects on failure. */
  exec(argv: string[]): Promise<void>
  /** Where the temporary layer tar is written. */
  workDir: string
  logger: Logger
  /** A remapped daemon's mappings: the layer records owners as the container sees them. */
  idMappings?: IdMappings
  clock?: () => Date
}

/** The container's own settings over the image's, as dockerd's commit merges them. */
export function mergedConfig(record: ContainerRecord, image: ImageRuntimeConfig): ImageRuntimeConfig {
  const spec = record.spec
  const out: ImageRuntimeConfig = { ...image }
  if (spec.cmd) out.Cmd = [...spec.cmd]
  if (spec.entrypoint) out.Entrypoint = spec.entrypoint.length > 0 ? [...spec.entrypoint] : undefined
  if (spec.env?.length) {
    const env = new Map((image.Env ?? []).map((e) => [e.split('=')[0], e] as const))
    for (const e of spec.env) env.set(e.split('=')[0], e)
    out.Env = [...env.values()]
  }
  if (spec.workingDir) out.WorkingDir = spec.workingDir
  if (spec.user) out.User = spec.user
  if (spec.labels && Object.keys(spec.labels).length > 0) out.Labels = { ...(image.Labels ?? {}), ...spec.labels }
  if (spec.exposedPorts) out.ExposedPorts = { ...(image.ExposedPorts ?? {}), ...spec.exposedPorts }
  if (spec.volumes) out.Volumes = { ...(image.Volumes ?? {}), ...spec.volumes }
  if (spec.stopSignal) out.StopSignal = spec.stopSignal
  return out
}

export class ContainerCommit {
  constructor(private readonly deps: ContainerCommitDeps) {}

  async commit(req: CommitRequest): Promise<ImageRecord> {
    const record = await this.deps.containers.resolve(req.container)
    const image = await this.deps.images.resolve(record.imageId)
    const pause = req.pause !== false && record.state.running && !record.state.paused
    if (pause) await this.deps.containers.pause(record.id)
    let layer: { diffId: Digest; chainId: string; size: number } | undefined
    try {
      layer = await this.layerOf(record, image)
    } finally {
      if (pause) await this.deps.containers.unpause(record.id).catch((err: unknown) => this.deps.logger.warn('unpause after commit failed', { id: record.id, error: err }))
    }
    const created = isoTime(this.deps.clock?.() ?? new Date())
    let config = mergedConfig(record, image.config.config ?? {})
    if (req.changes?.length) config = applyChanges(config, req.changes)
    if (req.config) config = { ...config, ...req.config }
    const parent = image.config
    const blob: ImageConfigBlob = {
      ...parent,
      created,
      ...(req.author ? { author: req.author } : {}),
      config,
      rootfs: { type: 'layers', diff_ids: [...parent.rootfs.diff_ids, ...(layer ? [layer.diffId] : [])] },
      history: [
        ...(parent.history ?? []),
        { created, ...(req.author ? { author: req.author } : {}), ...(req.comment ? { comment: req.comment } : {}), ...(layer ? {} : { empty_layer: true }) },
      ],
    }
    if (req.comment !== undefined) (blob as ImageConfigBlob & { comment?: string }).comment = req.comment
    return this.deps.committer.register(new TextEncoder().encode(JSON.stringify(blob)), req.reference ? [req.reference] : [])
  }

  /** The upper dir as a layer on the image's chain; undefined when nothing changed. */
  private async layerOf(record: ContainerRecord, image: ImageRecord): Promise<{ diffId: Digest; chainId: string; size: number } | undefined> {
    const upper = this.deps.snapshotter.upperDir(record.id)
    let entries: string[]
    try {
      entries = await readdir(upper)
    } catch {
      throw new EngineError('Conflict', 'NO_UPPER', `container ${record.id} has no writable layer to commit`)
    }
    if (entries.length === 0) return undefined
    const tarFile = join(this.deps.workDir, `commit-${record.id.slice(0, 12)}-${Date.now()}.tar`)
    // No reuseDir: the container keeps its upper dir (it may be running), so the layer is unpacked from the blob.
    return withUpperDirLayer(upper, tarFile, this.deps.exec, (layer) => this.deps.committer.commitLayer(image.topChainId, layer), { idMappings: this.deps.idMappings })
  }
}
