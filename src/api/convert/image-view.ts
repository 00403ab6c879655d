import { familiarReference } from '../../engine/images/index.js'
import type { ImageDeleteResult, ImageRecord, ImageService } from '../../engine/images/index.js'
import type { ImageConfigWire, ImageDeleteResponseItem, ImageHistoryItem, ImageInspectResponse, ImageSummary } from '../types/index.js'

export const imageGraphDriver = 'overlay'

/** Docker shows references in their short form: "busybox:latest", "user/app:1", "ghcr.io/x/y:z". */
export function displayReference(ref: string): string {
  return familiarReference(ref)
}

function createdSeconds(record: ImageRecord): number {
  const t = record.config.created ? Date.parse(record.config.created) : NaN
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000)
}

/** An item of GET /images/json. */
export function imageSummary(record: ImageRecord): ImageSummary {
  return {
    Id: record.id,
    ParentId: '',
    RepoTags: record.repoTags.map(displayReference),
    RepoDigests: record.repoDigests.map(displayReference),
    Created: createdSeconds(record),
    Size: record.size,
    SharedSize: -1,
    Labels: record.config.config?.Labels ?? {},
    Containers: -1,
  }
}

/** The image's runtime config in the API 1.50 ImageConfig shape. */
export function imageConfigView(record: ImageRecord): ImageConfigWire {
  const c = record.config.config ?? {}
  const view: ImageConfigWire = {
    User: c.User ?? '',
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
  }
  if (c.ExposedPorts) view.ExposedPorts = c.ExposedPorts
  if (c.StopSignal) view.StopSignal = c.StopSignal
  if (c.Shell) view.Shell = c.Shell
  if (c.Healthcheck) view.Healthcheck = c.Healthcheck
  return view
}

/** GET /images/{name}/json. */
export function imageInspect(record: ImageRecord): ImageInspectResponse {
  const cfg = record.config
  const view: ImageInspectResponse = {
    Id: record.id,
    RepoTags: record.repoTags.map(displayReference),
    RepoDigests: record.repoDigests.map(displayReference),
    Parent: '',
    Comment: cfg.comment ?? '',
    DockerVersion: cfg.docker_version ?? '',
    Author: cfg.author ?? '',
    Config: imageConfigView(record),
    Architecture: cfg.architecture,
    Os: cfg.os,
    Size: record.size,
    GraphDriver: { Name: imageGraphDriver, Data: null },
    RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: record.loadedAt },
  }
  if (cfg.created) view.Created = cfg.created
  if (cfg.variant) view.Variant = cfg.variant
  return view
}

/** GET /images/{name}/history: newest layer first, tags only on the entries that carry them. */
export function imageHistory(entries: Awaited<ReturnType<ImageService['history']>>): ImageHistoryItem[] {
  return entries.map((e) => ({
    Id: e.id,
    Created: e.created,
    CreatedBy: e.createdBy,
    Tags: e.tags.length > 0 ? e.tags.map(displayReference) : null,
    Size: e.size,
    Comment: e.comment,
  }))
}

/** DELETE /images/{name}: untags first, then deletions, as moby lists them. */
export function imageDeleteItems(result: ImageDeleteResult): ImageDeleteResponseItem[] {
  return [
    ...result.untagged.map((ref) => ({ Untagged: displayReference(ref) })),
    ...result.deleted.map((id) => ({ Deleted: id })),
  ]
}
