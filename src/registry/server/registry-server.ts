import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import bcrypt from 'bcryptjs'
import { isDigest, type Digest } from '../../common/index.js'
import { checkName, RegistryError, RegistryStorage } from './registry-storage.js'

export interface RegistryServerOptions {
  root: string
  /** htpasswd lines "user:$2y$..." (bcrypt only, as Distribution); Basic auth when given. */
  htpasswd?: string
  realm?: string
  tls?: { cert: string; key: string }
  /** Manifest and blob DELETE (default true; Distribution's registry:2 image has them off unless enabled). */
  deleteEnabled?: boolean
  /** Access log lines. */
  log?: (line: string) => void
}

const maxManifest = 4 * 1024 * 1024
const pathRe = /^\/v2\/(.+?)\/(tags\/list|manifests\/([^/]+)|blobs\/uploads\/([^/]*)|blobs\/([^/]+))$/

/**
 * berth's OCI distribution registry: catalog, tags, blobs (with Range reads), monolithic and
 * chunked uploads, cross-repository mounts, manifests by tag and digest, deletes; optional
 * htpasswd Basic auth and TLS. Manifests must reference blobs the repository has.
 */
export function createRegistryServer(options: RegistryServerOptions): http.Server {
  const storage = new RegistryStorage(options.root)
  const users = parseHtpasswd(options.htpasswd)
  const verified = new Set<string>()
  const realm = options.realm ?? 'berth-registry'

  const authorized = async (req: http.IncomingMessage): Promise<boolean> => {
    if (!users) return true
    const header = req.headers.authorization ?? ''
    if (!header.startsWith('Basic ')) return false
    const key = createHash('sha256').update(header).digest('hex')
    if (verified.has(key)) return true
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const hash = users.get(decoded.slice(0, colon))
    if (colon < 0 || !hash) return false
    const ok = await bcrypt.compare(decoded.slice(colon + 1), hash.replace(/^\$2y\$/, '$2b$'))
    if (ok) verified.add(key)
    return ok
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0')
    const url = new URL(req.url ?? '/', 'http://registry')
    const method = req.method ?? 'GET'
    if (!url.pathname.startsWith('/v2')) throw new RegistryError(404, 'NOT_FOUND', 'page not found')
    if (!(await authorized(req))) {
      res.setHeader('WWW-Authenticate', `Basic realm="${realm}"`)
      throw new RegistryError(401, 'UNAUTHORIZED', 'authentication required')
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') return json(res, 200, {})
    if (url.pathname === '/v2/_catalog') {
      const all = await storage.catalog()
      const last = url.searchParams.get('last')
      const n = Number(url.searchParams.get('n') ?? 0)
      let repos = last ? all.filter((r) => r > last) : all
      if (n > 0 && repos.length > n) {
        repos = repos.slice(0, n)
        res.setHeader('Link', `</v2/_catalog?last=${encodeURIComponent(repos[repos.length - 1] ?? '')}&n=${n}>; rel="next"`)
      }
      return json(res, 200, { repositories: repos })
    }
    const m = pathRe.exec(url.pathname)
    if (!m) throw new RegistryError(404, 'NOT_FOUND', 'page not found')
    const name = m[1] as string
    checkName(name)
    if (m[2] === 'tags/list') {
      if (!(await storage.repositoryExists(name))) throw new RegistryError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name })
      return json(res, 200, { name, tags: await storage.tags(name) })
    }
    if (method === 'DELETE' && m[4] === undefined && options.deleteEnabled === false) throw new RegistryError(405, 'UNSUPPORTED', 'The operation is unsupported.')
    if (m[3] !== undefined) return manifests(storage, name, decodeURIComponent(m[3]), method, req, res)
    if (m[4] !== undefined) return uploads(storage, name, m[4], method, url, req, res)
    return blobs(storage, name, m[5] as string, method, req, res)
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.on('finish', () => options.log?.(`${req.method} ${req.url} ${res.statusCode}`))
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof RegistryError ? err : new RegistryError(500, 'UNKNOWN', (err as Error).message)
      req.resume()
      if (res.headersSent) {
        res.destroy()
        return
      }
      json(res, e.status, { errors: [{ code: e.code, message: e.message, detail: e.detail ?? null }] })
    })
  }
  if (options.tls) return https.createServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, listener)
  return http.createServer(listener)
}

/** Listens on "host:port" (port 0 picks a free one); resolves with the bound port. */
export function listenRegistry(server: http.Server, addr: string): Promise<number> {
  const colon = addr.lastIndexOf(':')
  const host = addr.slice(0, colon).replace(/^\[|\]$/g, '') || '127.0.0.1'
  const port = Number(addr.slice(colon + 1))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

export function parseHtpasswd(text: string | undefined): Map<string, string> | undefined {
  if (text === undefined) return undefined
  const users = new Map<string, string>()
  for (const line of text.split('\n')) {
    const t = line.trim()
    if (t === '' || t.startsWith('#')) continue
    const colon = t.indexOf(':')
    if (colon > 0) users.set(t.slice(0, colon), t.slice(colon + 1))
  }
  return users
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function digestParam(value: string | null | undefined): Digest {
  if (!value || !isDigest(value)) throw new RegistryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content')
  return value
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const c of req) {
    n += (c as Buffer).length
    if (n > limit) throw new RegistryError(400, 'SIZE_INVALID', 'manifest too large')
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks)
}

async function manifests(storage: RegistryStorage, name: string, reference: string, method: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (method === 'GET' || method === 'HEAD') {
    const m = await storage.getManifest(name, reference)
    res.writeHead(200, { 'Content-Type': m.mediaType, 'Content-Length': m.bytes.length, 'Docker-Content-Digest': m.digest, ETag: `"${m.digest}"` })
    res.end(method === 'GET' ? m.bytes : undefined)
    return
  }
  if (method === 'PUT') {
    const bytes = await readBody(req, maxManifest)
    let doc: { mediaType?: string; config?: { digest?: string }; layers?: Array<{ digest?: string }>; manifests?: Array<{ digest?: string }> }
    try {
      doc = JSON.parse(bytes.toString('utf8'))
    } catch {
      throw new RegistryError(400, 'MANIFEST_INVALID', 'manifest invalid')
    }
    const mediaType = (req.headers['content-type'] ?? doc.mediaType ?? 'application/vnd.oci.image.manifest.v1+json').split(';')[0]?.trim() ?? ''
    for (const d of doc.manifests ?? []) {
      if (!d.digest || !isDigest(d.digest)) throw new RegistryError(400, 'MANIFEST_INVALID', 'manifest invalid')
      await storage.getManifest(name, d.digest).catch(() => {
        throw new RegistryError(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: d.digest })
      })
    }
    for (const d of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
      if (!d.digest || !isDigest(d.digest) || (await storage.blobSize(name, d.digest)) === undefined) {
        throw new RegistryError(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: d.digest })
      }
    }
    if (!doc.manifests && !doc.config) throw new RegistryError(400, 'MANIFEST_INVALID', 'manifest invalid')
    const digest = await storage.putManifest(name, reference, mediaType, bytes)
    res.writeHead(201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 })
    res.end()
    return
  }
  if (method === 'DELETE') {
    await storage.deleteManifest(name, reference)
    res.writeHead(202, { 'Content-Length': 0 })
    res.end()
    return
  }
  throw new RegistryError(405, 'UNSUPPORTED', 'The operation is unsupported.')
}

async function blobs(storage: RegistryStorage, name: string, digestText: string, method: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const digest = digestParam(digestText)
  if (method === 'DELETE') {
    if (!(await storage.unlinkBlob(name, digest))) throw new RegistryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', digest)
    res.writeHead(202, { 'Content-Length': 0 })
    res.end()
    return
  }
  if (method !== 'GET' && method !== 'HEAD') throw new RegistryError(405, 'UNSUPPORTED', 'The operation is unsupported.')
  const size = await storage.blobSize(name, digest)
  if (size === undefined) throw new RegistryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', digest)
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
  if (range && method === 'GET') {
    const start = Number(range[1])
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
    if (start >= size || end < start) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 })
      res.end()
      return
    }
    res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` })
    storage.openBlob(digest, { start, end }).pipe(res)
    return
  }
  res.writeHead(200, { ...headers, 'Content-Length': size })
  if (method === 'HEAD' || size === 0) {
    res.end()
    return
  }
  storage.openBlob(digest).pipe(res)
}

async function uploads(storage: RegistryStorage, name: string, uuid: string, method: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const location = (id: string): string => `/v2/${name}/blobs/uploads/${id}`
  const accepted = (id: string, size: number, status = 202): void => {
    res.writeHead(status, { Location: location(id), Range: `0-${Math.max(size - 1, 0)}`, 'Docker-Upload-UUID': id, 'Content-Length': 0 })
    res.end()
  }
  const created = (digest: Digest): void => {
    res.writeHead(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 })
    res.end()
  }
  if (uuid === '') {
    if (method !== 'POST') throw new RegistryError(405, 'UNSUPPORTED', 'The operation is unsupported.')
    const mount = url.searchParams.get('mount')
    const from = url.searchParams.get('from')
    if (mount && from) {
      checkName(from)
      const digest = digestParam(mount)
      if (await storage.mountBlob(name, from, digest)) return created(digest)
    }
    const id = await storage.startUpload()
    const monolithic = url.searchParams.get('digest')
    if (monolithic) {
      await storage.appendUpload(id, req)
      await storage.finishUpload(name, id, digestParam(monolithic))
      return created(monolithic as Digest)
    }
    req.resume()
    return accepted(id, 0)
  }
  if (method === 'GET') return accepted(uuid, await storage.uploadSize(uuid), 204)
  if (method === 'DELETE') {
    await storage.cancelUpload(uuid)
    res.writeHead(204)
    res.end()
    return
  }
  if (method === 'PATCH') {
    const range = /^(\d+)-(\d+)$/.exec(req.headers['content-range'] ?? '')
    const size = await storage.appendUpload(uuid, req, range ? Number(range[1]) : undefined)
    return accepted(uuid, size)
  }
  if (method === 'PUT') {
    const digest = digestParam(url.searchParams.get('digest'))
    await storage.appendUpload(uuid, req)
    await storage.finishUpload(name, uuid, digest)
    return created(digest)
  }
  throw new RegistryError(405, 'UNSUPPORTED', 'The operation is unsupported.')
}
