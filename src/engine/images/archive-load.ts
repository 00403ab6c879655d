import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { pipeline } from 'node:stream/promises'
import tarStream from 'tar-stream'
import { EngineError, invalid, isDigest, sha256, type Digest } from '../../common/index.js'
import type { ExternalDecompressor } from './distribution-types.js'
import type { ImageStore } from './image-store.js'
import { choosePlatform, parseManifest, type Descriptor } from './manifest.js'
import { parsePlatform } from './platform.js'
import { familiarReference, normalizeReference } from './reference.js'
import { decompressLayer } from './transfer-util.js'
import type { ImageConfigBlob } from './types.js'

interface ArchiveImage {
  config: string
  layers: string[]
  tags: string[]
}

/**
 * Loads a Docker image archive (manifest.json) or an OCI image layout archive (index.json), as
 * `docker load` does. The archive is unpacked to a scratch dir first, so a truncated or malformed
 * archive fails before anything is stored; layers are verified against the config's diff ids.
 * Returns Docker's lines: "Loaded image: name:tag" or "Loaded image ID: sha256:...".
 */
export async function loadArchive(
  store: ImageStore,
  tar: NodeJS.ReadableStream,
  opts: { scratchRoot: string; decompressor?: ExternalDecompressor },
): Promise<string[]> {
  await mkdir(opts.scratchRoot, { recursive: true })
  const dir = await mkdtemp(join(opts.scratchRoot, 'load-'))
  try {
    const files = await extractArchive(tar, dir)
    const images = await describeArchive(files)
    if (images.length === 0) throw invalid('EMPTY_ARCHIVE', 'no images found in the archive')
    const lines: string[] = []
    for (const img of images) {
      const fileOf = (name: string): string => {
        const path = files.get(posix.normalize(name))
        if (!path) throw invalid('INVALID_ARCHIVE', `invalid archive: "${name}" is missing (truncated archive?)`)
        return path
      }
      const configBytes = await readFile(fileOf(img.config))
      const config = JSON.parse(configBytes.toString('utf8')) as ImageConfigBlob
      const diffIds = config.rootfs?.diff_ids ?? []
      if (diffIds.length !== img.layers.length) throw invalid('INVALID_ARCHIVE', `invalid archive: the image config has ${diffIds.length} layers, the manifest ${img.layers.length}`)
      const record = await store.withLayerPins(async (pin) => {
        let parent: string | undefined
        for (let i = 0; i < diffIds.length; i++) {
          const diffId = diffIds[i] as Digest
          pin(diffId)
          if (!(await store.content.has(diffId))) {
            const plain = await decompressLayer(createReadStream(fileOf(img.layers[i] as string)) as AsyncIterable<Buffer>, opts.decompressor)
            await store.content.ingest(plain, { digest: diffId }).catch((err: unknown) => {
              throw new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `invalid archive: layer ${img.layers[i]} does not match diff id ${diffId}`, { cause: err })
            })
          }
          const info = await store.layers.applyLayer(parent, diffId, await store.content.layerSource(diffId))
          pin(info.chainId)
          parent = info.chainId
        }
        let last = await store.registerImage(configBytes)
        for (const t of img.tags) last = await store.registerImage(configBytes, { repoTag: t })
        return last
      })
      if (img.tags.length === 0) lines.push(`Loaded image ID: ${record.id}`)
      for (const t of img.tags) lines.push(`Loaded image: ${familiarReference(normalizeReference(t))}`)
    }
    return lines
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Regular files of the archive by normalized name; symlinks inside the archive are resolved. */
async function extractArchive(tar: NodeJS.ReadableStream, dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const links = new Map<string, string>()
  const extract = tarStream.extract()
  let n = 0
  const feeding = pipeline(tar, extract).catch((err: unknown) => {
    extract.destroy(err as Error)
  })
  try {
    for await (const entry of extract) {
      const h = entry.header
      const name = posix.normalize(h.name).replace(/^\.\/|\/$/g, '')
      if (name.startsWith('/') || name.split('/').includes('..')) throw invalid('INVALID_ARCHIVE', `invalid archive: path "${h.name}" leaves the archive`)
      if (h.type === 'file' || h.type === 'contiguous-file') {
        const path = join(dir, `f${n++}`)
        await pipeline(entry, createWriteStream(path))
        files.set(name, path)
      } else {
        if (h.type === 'symlink' || h.type === 'link') {
          const target = h.type === 'symlink' ? posix.normalize(posix.join(posix.dirname(name), h.linkname ?? '')) : posix.normalize(h.linkname ?? '')
          links.set(name, target)
        }
        entry.resume()
      }
    }
  } catch (err) {
    throw new EngineError('InvalidArgument', 'INVALID_ARCHIVE', `Error processing tar file: ${(err as Error).message === 'Unexpected end of data' ? 'unexpected EOF (the archive is truncated)' : (err as Error).message}`, { cause: err })
  }
  await feeding
  for (const [name, target] of links) {
    const path = files.get(target)
    if (path) files.set(name, path)
  }
  return files
}

async function describeArchive(files: Map<string, string>): Promise<ArchiveImage[]> {
  const manifestPath = files.get('manifest.json')
  if (manifestPath) {
    let entries: Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>
    try {
      entries = JSON.parse(await readFile(manifestPath, 'utf8'))
    } catch {
      throw invalid('INVALID_ARCHIVE', 'invalid archive: manifest.json is not valid JSON')
    }
    return entries.map((e) => {
      if (typeof e.Config !== 'string' || !Array.isArray(e.Layers)) throw invalid('INVALID_ARCHIVE', 'invalid archive: malformed manifest.json')
      return { config: e.Config, layers: e.Layers, tags: e.RepoTags ?? [] }
    })
  }
  const indexPath = files.get('index.json')
  if (!indexPath) {
    throw invalid('INVALID_ARCHIVE', 'invalid archive: neither manifest.json nor index.json found (not a Docker or OCI image archive, or truncated)')
  }
  const blob = (d: Digest): string => `blobs/sha256/${d.slice(7)}`
  const readBlob = async (d: Descriptor): Promise<Buffer> => {
    const path = files.get(blob(d.digest))
    if (!path) throw invalid('INVALID_ARCHIVE', `invalid archive: blob ${d.digest} is missing`)
    const bytes = await readFile(path)
    if (sha256(bytes) !== d.digest) throw invalid('DIGEST_MISMATCH', `invalid archive: blob ${d.digest} does not match its digest`)
    return bytes
  }
  const index = parseManifest(await readFile(indexPath))
  if (index.kind !== 'index') throw invalid('INVALID_ARCHIVE', 'invalid archive: index.json is not an image index')
  const out: ArchiveImage[] = []
  for (const entry of index.index.manifests) {
    let desc = entry
    let parsed = parseManifest(await readBlob(desc), desc.mediaType)
    if (parsed.kind === 'index') {
      desc = choosePlatform(parsed.index, parsePlatform(undefined))
      parsed = parseManifest(await readBlob(desc), desc.mediaType)
    }
    if (parsed.kind !== 'manifest') throw invalid('INVALID_ARCHIVE', 'invalid archive: nested index')
    const m = parsed.manifest
    if (!isDigest(m.config.digest)) throw invalid('INVALID_ARCHIVE', 'invalid archive: bad config digest')
    const tags: string[] = []
    const name = entry.annotations?.['io.containerd.image.name']
    const refName = entry.annotations?.['org.opencontainers.image.ref.name']
    if (name) tags.push(name)
    else if (refName && /[/:]/.test(refName) && !refName.startsWith(':')) tags.push(refName)
    const validTags = tags.filter((t) => {
      try {
        normalizeReference(t)
        return true
      } catch {
        return false
      }
    })
    const existing = out.find((o) => o.config === blob(m.config.digest))
    if (existing) existing.tags.push(...validTags.filter((t) => !existing.tags.includes(t)))
    else out.push({ config: blob(m.config.digest), layers: m.layers.map((l) => blob(l.digest)), tags: validTags })
  }
  return out
}
