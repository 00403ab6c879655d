import { PassThrough, type Readable } from 'node:stream'
import tarStream from 'tar-stream'
import { digestHex, notFound, sha256, type Digest } from '../../common/index.js'
import type { ImageStore } from './image-store.js'
import { MediaTypes } from './manifest.js'
import { familiarName, familiarReference, normalizeReference, parseReference } from './reference.js'
import type { ImageRecord } from './types.js'

interface SaveItem {
  image: ImageRecord
  /** Normalized "name:tag" references to record for it. */
  tags: string[]
}

/**
 * Which images and tags `docker save NAMES...` writes: a tagged reference saves that tag, a bare
 * repository name saves all its tags, an id saves the image without tags.
 */
export async function saveSelection(store: ImageStore, names: readonly string[]): Promise<SaveItem[]> {
  const items = new Map<Digest, SaveItem>()
  const all = await store.list()
  for (const name of names) {
    const image = await store.resolve(name)
    const item = items.get(image.id) ?? { image, tags: [] }
    items.set(image.id, item)
    let parsed
    try {
      parsed = parseReference(name)
    } catch {
      continue // an id or id prefix
    }
    const isId = /^(?:sha256:)?[0-9a-f]{1,64}$/.test(name) && image.id.startsWith(`sha256:${name.replace(/^sha256:/, '')}`)
    if (isId) continue
    if (parsed.tag === undefined && parsed.digest === undefined && !name.includes(':')) {
      const repo = `${parsed.domain}/${parsed.path}:`
      for (const img of all) {
        for (const t of img.repoTags) {
          if (!t.startsWith(repo)) continue
          const other = items.get(img.id) ?? { image: img, tags: [] }
          items.set(img.id, other)
          if (!other.tags.includes(t)) other.tags.push(t)
        }
      }
    } else if (parsed.digest === undefined) {
      const ref = normalizeReference(name)
      if (!item.tags.includes(ref)) item.tags.push(ref)
    }
  }
  return [...items.values()]
}

/**
 * Writes Docker's image archive (manifest.json + repositories, blobs/sha256/ as Docker 25+ does)
 * that is also an OCI image layout (oci-layout + index.json): `docker save` / `docker load` and
 * skopeo's docker-archive:, oci-archive: and oci: transports read it.
 */
export function saveArchive(store: ImageStore, items: readonly SaveItem[]): Readable {
  const pack = tarStream.pack()
  const out = new PassThrough()
  pack.pipe(out)
  const mtime = new Date(0)
  const written = new Set<string>()
  const addBuffer = (name: string, data: Buffer): Promise<void> =>
    new Promise((resolve, reject) => pack.entry({ name, size: data.length, mode: 0o644, mtime }, data, (err) => (err ? reject(err) : resolve())))
  const addBlob = async (digest: Digest): Promise<string> => {
    const name = `blobs/sha256/${digestHex(digest)}`
    if (written.has(name)) return name
    written.add(name)
    const size = await store.content.size(digest)
    const src = await store.content.openRead(digest)
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name, size, mode: 0o644, mtime }, (err) => (err ? reject(err) : resolve()))
      src.on('error', reject)
      src.pipe(entry)
    })
    return name
  }
  void (async () => {
    pack.entry({ name: 'blobs/', type: 'directory', mode: 0o755, mtime })
    pack.entry({ name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime })
    const manifestJson: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = []
    const repositories: Record<string, Record<string, string>> = {}
    const index: Array<Record<string, unknown>> = []
    for (const { image, tags } of items) {
      const diffIds = image.config.rootfs.diff_ids
      const layers: string[] = []
      const layerDescriptors: Array<{ mediaType: string; digest: Digest; size: number }> = []
      for (const d of diffIds) {
        if (!(await store.content.has(d))) throw notFound('LAYER_BLOB_MISSING', `Cannot save image ${image.id}: the tar of layer ${d} is missing`)
        layers.push(await addBlob(d))
        layerDescriptors.push({ mediaType: MediaTypes.ociLayer, digest: d, size: await store.content.size(d) })
      }
      const config = await addBlob(image.id)
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: { mediaType: MediaTypes.ociConfig, digest: image.id, size: await store.content.size(image.id) },
        layers: layerDescriptors,
      }))
      const manifestDigest = sha256(manifest)
      const manifestName = `blobs/sha256/${digestHex(manifestDigest)}`
      if (!written.has(manifestName)) {
        written.add(manifestName)
        await addBuffer(manifestName, manifest)
      }
      const shown = tags.map(familiarReference)
      manifestJson.push({ Config: config, RepoTags: shown.length > 0 ? shown : null, Layers: layers })
      const top = diffIds[diffIds.length - 1]
      for (const t of tags) {
        const colon = t.lastIndexOf(':')
        const repo = familiarName(t.slice(0, colon))
        if (top) (repositories[repo] ??= {})[t.slice(colon + 1)] = digestHex(top)
      }
      const descriptor = { mediaType: MediaTypes.ociManifest, digest: manifestDigest, size: manifest.length }
      if (tags.length === 0) index.push(descriptor)
      for (const t of tags) {
        index.push({
          ...descriptor,
          annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': t.slice(t.lastIndexOf(':') + 1) },
        })
      }
    }
    await addBuffer('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: index })))
    await addBuffer('manifest.json', Buffer.from(JSON.stringify(manifestJson)))
    await addBuffer('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })))
    await addBuffer('repositories', Buffer.from(JSON.stringify(repositories)))
    pack.finalize()
  })().catch((err: unknown) => {
    out.destroy(err instanceof Error ? err : new Error(String(err)))
    pack.destroy()
  })
  return out
}
