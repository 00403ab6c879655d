import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isDigest, sha256, type Digest } from '../../common/index.js'

/** A distribution error as the spec names it; the server turns it into {"errors": [...]}. */
export class RegistryError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly detail?: unknown) {
    super(message)
  }
}

const nameRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/
const tagRe = /^[\w][\w.-]{0,127}$/

export function checkName(name: string): void {
  if (!nameRe.test(name) || name.length > 255) throw new RegistryError(400, 'NAME_INVALID', 'invalid repository name')
}

/**
 * The registry's files under root:
 *   blobs/sha256/<hex>                            content, shared by every repository
 *   repositories/<name>/_layers/<hex>             the blob is in this repository
 *   repositories/<name>/_manifests/revisions/<hex> a manifest of this repository (content: media type)
 *   repositories/<name>/_manifests/tags/<tag>     the tag's digest
 *   _uploads/<uuid>                               upload in progress
 * A blob is renamed into blobs/ only after its digest was checked.
 */
export class RegistryStorage {
  constructor(readonly root: string) {}

  private blobPath(digest: Digest): string {
    return join(this.root, 'blobs', 'sha256', digest.slice(7))
  }

  private repoDir(name: string): string {
    return join(this.root, 'repositories', ...name.split('/'))
  }

  private uploadPath(uuid: string): string {
    if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new RegistryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry')
    return join(this.root, '_uploads', uuid)
  }

  async blobSize(name: string, digest: Digest): Promise<number | undefined> {
    if (!(await exists(join(this.repoDir(name), '_layers', digest.slice(7))))) return undefined
    return fileSize(this.blobPath(digest))
  }

  openBlob(digest: Digest, range?: { start: number; end: number }): Readable {
    return createReadStream(this.blobPath(digest), range)
  }

  async linkBlob(name: string, digest: Digest): Promise<void> {
    const dir = join(this.repoDir(name), '_layers')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, digest.slice(7)), '')
  }

  async unlinkBlob(name: string, digest: Digest): Promise<boolean> {
    const path = join(this.repoDir(name), '_layers', digest.slice(7))
    if (!(await exists(path))) return false
    await rm(path)
    return true
  }

  /** A blob that exists in `from` becomes part of `name` without copying. */
  async mountBlob(name: string, from: string, digest: Digest): Promise<boolean> {
    if ((await this.blobSize(from, digest)) === undefined) return false
    await this.linkBlob(name, digest)
    return true
  }

  async startUpload(): Promise<string> {
    const uuid = randomUUID()
    await mkdir(join(this.root, '_uploads'), { recursive: true })
    await writeFile(this.uploadPath(uuid), '')
    return uuid
  }

  async uploadSize(uuid: string): Promise<number> {
    const size = await fileSize(this.uploadPath(uuid))
    if (size === undefined) throw new RegistryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry')
    return size
  }

  /** Appends a request body; `start` (from Content-Range) must be the current size. */
  async appendUpload(uuid: string, body: Readable, start?: number): Promise<number> {
    const size = await this.uploadSize(uuid)
    if (start !== undefined && start !== size) throw new RegistryError(416, 'BLOB_UPLOAD_INVALID', 'invalid content range')
    await pipeline(body, createWriteStream(this.uploadPath(uuid), { flags: 'a' }))
    return this.uploadSize(uuid)
  }

  /** Checks the upload's digest and moves it into blobs/; nothing is stored on a mismatch. */
  async finishUpload(name: string, uuid: string, digest: Digest): Promise<void> {
    const path = this.uploadPath(uuid)
    await this.uploadSize(uuid)
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
    if (`sha256:${hash.digest('hex')}` !== digest) {
      await rm(path, { force: true })
      throw new RegistryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content')
    }
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true })
    await rename(path, this.blobPath(digest))
    await this.linkBlob(name, digest)
  }

  async cancelUpload(uuid: string): Promise<void> {
    await this.uploadSize(uuid)
    await rm(this.uploadPath(uuid), { force: true })
  }

  async putManifest(name: string, reference: string, mediaType: string, bytes: Buffer): Promise<Digest> {
    const digest = sha256(bytes)
    if (isDigest(reference) && reference !== digest) throw new RegistryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content')
    if (!isDigest(reference) && !tagRe.test(reference)) throw new RegistryError(400, 'TAG_INVALID', 'manifest tag did not match URI')
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true })
    await writeFile(this.blobPath(digest), bytes)
    const dir = join(this.repoDir(name), '_manifests')
    await mkdir(join(dir, 'revisions'), { recursive: true })
    await writeFile(join(dir, 'revisions', digest.slice(7)), mediaType)
    if (!isDigest(reference)) {
      await mkdir(join(dir, 'tags'), { recursive: true })
      await writeFile(join(dir, 'tags', reference), digest)
    }
    return digest
  }

  async getManifest(name: string, reference: string): Promise<{ digest: Digest; mediaType: string; bytes: Buffer }> {
    const dir = join(this.repoDir(name), '_manifests')
    let digest: string
    if (isDigest(reference)) digest = reference
    else {
      const tagged = await readFile(join(dir, 'tags', reference), 'utf8').catch(() => undefined)
      if (!tagged) throw new RegistryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { Tag: reference })
      digest = tagged.trim()
    }
    const mediaType = isDigest(digest) ? await readFile(join(dir, 'revisions', digest.slice(7)), 'utf8').catch(() => undefined) : undefined
    if (mediaType === undefined) throw new RegistryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown')
    return { digest: digest as Digest, mediaType, bytes: await readFile(this.blobPath(digest as Digest)) }
  }

  /** By digest: the revision and every tag pointing at it; by tag: the tag only. */
  async deleteManifest(name: string, reference: string): Promise<void> {
    const dir = join(this.repoDir(name), '_manifests')
    if (!isDigest(reference)) {
      if (!(await exists(join(dir, 'tags', reference)))) throw new RegistryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown')
      await rm(join(dir, 'tags', reference))
      return
    }
    if (!(await exists(join(dir, 'revisions', reference.slice(7))))) throw new RegistryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown')
    await rm(join(dir, 'revisions', reference.slice(7)))
    for (const tag of await this.tags(name)) {
      if ((await readFile(join(dir, 'tags', tag), 'utf8')).trim() === reference) await rm(join(dir, 'tags', tag))
    }
  }

  async repositoryExists(name: string): Promise<boolean> {
    return exists(this.repoDir(name))
  }

  async tags(name: string): Promise<string[]> {
    return (await readdir(join(this.repoDir(name), '_manifests', 'tags')).catch(() => [] as string[])).sort()
  }

  /** Repository names, sorted. */
  async catalog(): Promise<string[]> {
    const out: string[] = []
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
      if (entries.some((e) => e.name === '_manifests' || e.name === '_layers')) {
        if (await exists(join(dir, '_manifests'))) out.push(prefix)
      }
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('_')) await walk(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name)
    }
    await walk(join(this.root, 'repositories'), '')
    return out.sort()
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined
}

async function fileSize(path: string): Promise<number | undefined> {
  return (await stat(path).catch(() => undefined))?.size
}
