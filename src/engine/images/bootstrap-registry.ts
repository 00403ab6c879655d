import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tarStream from 'tar-stream'
import { isEngineError, isoTime } from '../../common/index.js'
import { hostArchitecture } from './platform.js'
import type { ImageConfigBlob, ImageRecord, ImageService } from './types.js'

export const REGISTRY_IMAGE = 'berth/registry:latest'
/** Label holding a digest of the inputs: the image is rebuilt only when they change. */
export const BOOTSTRAP_SOURCE_LABEL = 'berth.bootstrap.source'
const NODE = '/usr/local/bin/node'
const SCRIPT = '/usr/local/lib/berth-registry/registry.cjs'
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface BootstrapRegistryOptions {
  /** The host's node binary. */
  nodePath: string
  /** Absolute paths of its shared libraries and dynamic loader (`ldd`, run by the caller). */
  libraries: readonly string[]
  /** The bundled registry server (bin/berth-registry). */
  serverScript: string
  /** For the history line ("v20.19.0"). */
  nodeVersion?: string
  repoTag?: string
}

interface LayerFile {
  src: string
  /** Path in the image, without the leading slash. */
  dest: string
  mode: number
}

/**
 * Builds berth/registry:latest offline, the way Distribution's registry:2 image is used: the host's
 * node binary, its shared libraries at the paths its loader looks in, and the bundled registry
 * server, which reads registry:2's REGISTRY_* variables. VOLUME /var/lib/registry, EXPOSE 5000.
 * File mtimes come from the inputs, so the same inputs give the same image id; an existing image
 * made from the same inputs is returned as it is.
 */
export async function bootstrapRegistry(images: ImageService, opts: BootstrapRegistryOptions): Promise<ImageRecord> {
  const repoTag = opts.repoTag ?? REGISTRY_IMAGE
  const files = registryFiles(opts)
  const stats = await Promise.all(files.map((f) => stat(f.src)))
  const source = await sourceDigest(files)
  try {
    const existing = await images.resolve(repoTag)
    if (existing.config.config?.Labels?.[BOOTSTRAP_SOURCE_LABEL] === source) return existing
  } catch (err) {
    if (!isEngineError(err, 'NotFound')) throw err
  }
  const mtime = new Date(Math.floor(Math.max(...stats.map((s) => s.mtimeMs)) / 1000) * 1000)
  const created = isoTime(mtime).replace('.000Z', 'Z')
  const config: Omit<ImageConfigBlob, 'rootfs'> = {
    architecture: hostArchitecture(),
    os: 'linux',
    created,
    config: {
      Env: [PATH_ENV],
      Entrypoint: [NODE, SCRIPT],
      Cmd: null,
      ExposedPorts: { '5000/tcp': {} },
      Volumes: { '/var/lib/registry': {} },
      WorkingDir: '/',
      Labels: { [BOOTSTRAP_SOURCE_LABEL]: source },
    },
    history: [{ created, created_by: `BERTH bootstrap: berth registry server on node ${opts.nodeVersion ?? ''}`.trim() }],
  }
  return images.createFromLayers([registryLayer(files, stats.map((s) => s.size), mtime)], config, repoTag)
}

/** What goes into the layer, in a fixed order. Pure. */
export function registryFiles(opts: Pick<BootstrapRegistryOptions, 'nodePath' | 'libraries' | 'serverScript'>): LayerFile[] {
  const libs = [...new Set(opts.libraries)].filter((l) => l.startsWith('/') && !l.split('/').includes('..')).sort()
  return [
    { src: opts.nodePath, dest: NODE.slice(1), mode: 0o755 },
    ...libs.map((l) => ({ src: l, dest: l.slice(1), mode: 0o755 })),
    { src: opts.serverScript, dest: SCRIPT.slice(1), mode: 0o644 },
  ]
}

/** Every directory the files need plus the usual base ones, parents first. Pure. */
export function registryDirs(files: readonly LayerFile[]): string[] {
  const dirs = new Set(['etc', 'tmp', 'var', 'var/lib', 'var/lib/registry', 'root', 'proc', 'sys', 'dev'])
  for (const f of files) {
    const parts = f.dest.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  return [...dirs].sort()
}

async function sourceDigest(files: readonly LayerFile[]): Promise<string> {
  const hash = createHash('sha256')
  for (const f of files) {
    hash.update(`${f.dest}\0${f.mode}\0`)
    for await (const chunk of createReadStream(f.src)) hash.update(chunk as Buffer)
  }
  return `sha256:${hash.digest('hex')}`
}

/** The layer tar, streamed file by file (the node binary alone is ~100 MB). */
function registryLayer(files: readonly LayerFile[], sizes: readonly number[], mtime: Date): NodeJS.ReadableStream {
  const pack = tarStream.pack()
  const out = new PassThrough()
  const write = async (): Promise<void> => {
    const base = { uid: 0, gid: 0, mtime }
    for (const d of registryDirs(files)) {
      pack.entry({ ...base, name: `${d}/`, type: 'directory', mode: d === 'tmp' ? 0o1777 : d === 'root' ? 0o700 : 0o755 })
    }
    pack.entry({ ...base, name: 'etc/passwd', mode: 0o644 }, 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n')
    pack.entry({ ...base, name: 'etc/group', mode: 0o644 }, 'root:x:0:\nnogroup:x:65534:\n')
    for (let i = 0; i < files.length; i++) {
      const f = files[i] as LayerFile
      const entry = pack.entry({ ...base, name: f.dest, mode: f.mode, size: sizes[i] })
      await pipeline(createReadStream(f.src), entry)
    }
    pack.finalize()
  }
  pack.pipe(out)
  write().catch((err: unknown) => out.destroy(err as Error))
  return out
}
