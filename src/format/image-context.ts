import type { ImageHistoryItem, ImageSummary } from '../api/types/index.js'
import { templateObject, type TemplateObject } from './template-exec.js'
import { goJson } from './template-funcs.js'
import { familiarName, splitReference } from './references.js'
import { goTimeString, rfc3339Utc } from './time.js'
import { ellipsis, humanSize, humanSizeLong, timeAgo, truncateId } from './units.js'

export const DEFAULT_IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}'
export const DEFAULT_IMAGE_TABLE_WITH_DIGEST =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}'

export const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
}

export interface ImageRowOptions {
  trunc: boolean
  /** --digests, or a format that uses {{.Digest}}. */
  digests: boolean
  nowMs?: number
}

/** docker's imageFormat: one row per repository:tag (and per digest when digests are shown). */
export function imageContexts(images: ImageSummary[], options: ImageRowOptions): TemplateObject[] {
  const rows: TemplateObject[] = []
  for (const img of images) {
    const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>')
    const digests = (img.RepoDigests ?? []).filter((d) => d !== '<none>@<none>')
    if (tags.length === 0 && digests.length === 0) {
      rows.push(imageContext(img, '<none>', '<none>', '<none>', options))
      continue
    }
    const tagsByRepo = new Map<string, string[]>()
    for (const ref of tags) {
      const { name, tag } = splitReference(ref)
      if (tag === undefined) continue
      const repo = familiarName(name)
      tagsByRepo.set(repo, [...(tagsByRepo.get(repo) ?? []), tag])
    }
    const digestsByRepo = new Map<string, string[]>()
    for (const ref of digests) {
      const { name, digest } = splitReference(ref)
      if (digest === undefined) continue
      const repo = familiarName(name)
      digestsByRepo.set(repo, [...(digestsByRepo.get(repo) ?? []), digest])
    }
    for (const [repo, repoTags] of tagsByRepo) {
      const repoDigests = options.digests ? (digestsByRepo.get(repo) ?? []) : []
      digestsByRepo.delete(repo)
      for (const tag of repoTags) {
        if (repoDigests.length === 0) rows.push(imageContext(img, repo, tag, '<none>', options))
        for (const digest of repoDigests) rows.push(imageContext(img, repo, tag, digest, options))
      }
    }
    for (const [repo, repoDigests] of digestsByRepo) {
      if (options.digests) for (const digest of repoDigests) rows.push(imageContext(img, repo, '<none>', digest, options))
      else rows.push(imageContext(img, repo, '<none>', '', options))
    }
  }
  return rows
}

function imageContext(img: ImageSummary, repo: string, tag: string, digest: string, options: ImageRowOptions): TemplateObject {
  const shared = img.SharedSize ?? -1
  const fields: Record<string, string> = {
    Containers: img.Containers === undefined || img.Containers === -1 ? 'N/A' : String(img.Containers),
    CreatedAt: goTimeString(img.Created),
    CreatedSince: timeAgo(img.Created, options.nowMs),
    Digest: digest,
    ID: options.trunc ? truncateId(img.Id) : img.Id,
    Repository: repo,
    SharedSize: shared === -1 ? 'N/A' : humanSizeLong(shared),
    Size: humanSize(img.Size),
    Tag: tag,
    UniqueSize: img.Size === -1 || shared === -1 ? 'N/A' : humanSizeLong(img.Size - shared),
    VirtualSize: humanSizeLong(img.Size),
  }
  return templateObject('*formatter.imageContext', { ...fields, toJSON: () => JSON.parse(goJson(fields)) as unknown })
}

export const DEFAULT_HISTORY_TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
export const NON_HUMAN_HISTORY_TABLE = 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'

export const HISTORY_HEADERS: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
}

/** docker's historyContext for one `history` row. */
export function historyContext(h: ImageHistoryItem, options: { trunc: boolean; human: boolean; nowMs?: number }): TemplateObject {
  const createdBy = h.CreatedBy.replaceAll('\t', ' ')
  const createdAt = rfc3339Utc(h.Created)
  const fields: Record<string, string> = {
    Comment: h.Comment,
    CreatedAt: createdAt,
    CreatedBy: options.trunc ? ellipsis(createdBy, 45) : createdBy,
    CreatedSince: options.human ? timeAgo(h.Created, options.nowMs) : createdAt,
    ID: options.trunc ? truncateId(h.Id) : h.Id,
    Size: options.human ? humanSize(h.Size) : String(h.Size),
  }
  return templateObject('*formatter.historyContext', { ...fields, toJSON: () => JSON.parse(goJson(fields)) as unknown })
}
