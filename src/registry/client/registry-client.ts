import { readFileSync } from 'node:fs'
import http from 'node:http'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { EngineError, isDigest, sha256, type Digest } from '../../common/index.js'
import type {
  BlobRange,
  FetchedManifest,
  RegistryAuth,
  RegistryClient,
  RegistryRepository,
} from '../../engine/images/index.js'
import { parseWwwAuthenticate } from './www-authenticate.js'

export interface HttpRegistryClientOptions {
  /** Registries reached over plain HTTP besides loopback ones: "host:port", "host" or an IPv4 CIDR. */
  insecureRegistries?: readonly string[]
  /** Per-registry CA files: <certsDir>/<host[:port]>/ca.crt (Docker's /etc/docker/certs.d). */
  certsDir?: string
  userAgent?: string
  /** Refuse every registry that is not on loopback, before any network access (tests, air-gapped hosts). */
  loopbackOnly?: boolean
}

type Body = Buffer | AsyncIterable<Buffer> | undefined

interface Sent {
  res: http.IncomingMessage
  url: URL
}

const manifestAccept = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ')

/** Registry client over HTTP(S) (OCI distribution spec) with Basic and Bearer token auth. */
export class HttpRegistryClient implements RegistryClient {
  private insecure: readonly string[]
  private readonly userAgent: string
  private systemCa: Buffer | undefined

  constructor(private readonly options: HttpRegistryClientOptions = {}) {
    this.insecure = options.insecureRegistries ?? []
    this.userAgent = options.userAgent ?? 'berth/0.1.0'
  }

  /** Replaces the --insecure-registry entries (a daemon configuration reload). */
  setInsecureRegistries(registries: readonly string[]): void {
    this.insecure = [...registries]
  }

  /** https://host or http://host for loopback and --insecure-registry entries. */
  baseUrl(domain: string): string {
    const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain
    return `${isInsecure(host, this.insecure) ? 'http' : 'https'}://${host}`
  }

  repository(domain: string, path: string, auth: RegistryAuth | undefined, scope: 'pull' | 'push'): RegistryRepository {
    return new HttpRepository(this, domain, path, auth, scope === 'push' ? 'pull,push' : 'pull')
  }

  async login(domain: string, auth: RegistryAuth): Promise<{ identityToken?: string }> {
    const session = new AuthSession(this, auth, undefined)
    const url = new URL('/v2/', this.baseUrl(domain))
    const { res } = await session.request('GET', url, {}, undefined, true)
    await drain(res)
    if (res.statusCode === 200) return {}
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new EngineError('Unauthorized', 'LOGIN_FAILED', `login attempt to ${url.href} failed with status: ${res.statusCode} ${http.STATUS_CODES[res.statusCode] ?? ''}`.trimEnd())
    }
    throw new EngineError('Unavailable', 'LOGIN_FAILED', `login attempt to ${url.href} failed with status: ${res.statusCode} ${http.STATUS_CODES[res.statusCode ?? 0] ?? ''}`.trimEnd())
  }

  async catalog(domain: string, auth: RegistryAuth | undefined): Promise<string[]> {
    const session = new AuthSession(this, auth, 'registry:catalog:*')
    const { res } = await session.request('GET', new URL('/v2/_catalog?n=1000', this.baseUrl(domain)), {})
    const body = await expectOk(res, 'catalog')
    return (JSON.parse(body.toString('utf8')) as { repositories?: string[] }).repositories ?? []
  }

  /** One HTTP exchange; redirects are followed (without credentials to another host) for GET/HEAD. */
  async send(method: string, url: URL, headers: Record<string, string>, body: Body, signal?: AbortSignal, redirects = 5): Promise<Sent> {
    if (this.options.loopbackOnly && !isLoopback(url.hostname)) {
      throw new EngineError('Unavailable', 'REGISTRY_NOT_ALLOWED', `registry ${url.host} is not reachable: this daemon only contacts registries on loopback (--loopback-registries-only)`)
    }
    // node:https (and with it node:tls) is loaded on the first https request, not at berthd's start.
    const mod = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : http
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, {
        method,
        headers: { 'User-Agent': this.userAgent, ...headers },
        signal,
        ...(url.protocol === 'https:' ? { ca: this.caFor(url.host) } : {}),
      }, resolve)
      req.on('error', (err) => reject(new EngineError('Unavailable', 'REGISTRY_UNREACHABLE', `${method === 'HEAD' ? 'Head' : method === 'GET' ? 'Get' : method} "${url.href}": ${err.message}`, { cause: err })))
      if (body === undefined) req.end()
      else if (Buffer.isBuffer(body)) req.end(body)
      else {
        const src = Readable.from(body)
        src.on('error', (err) => req.destroy(err))
        src.pipe(req)
      }
    })
    const location = res.headers.location
    if ((method === 'GET' || method === 'HEAD') && location && [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && redirects > 0) {
      await drain(res)
      const next = new URL(location, url)
      const h = { ...headers }
      if (next.host !== url.host) delete h.Authorization
      return this.send(method, next, h, undefined, signal, redirects - 1)
    }
    return { res, url }
  }

  private caFor(host: string): Buffer[] | undefined {
    if (this.systemCa === undefined) {
      try {
        this.systemCa = readFileSync('/etc/ssl/certs/ca-certificates.crt')
      } catch {
        this.systemCa = Buffer.alloc(0)
      }
    }
    const cas = this.systemCa.length > 0 ? [this.systemCa] : []
    if (this.options.certsDir) {
      try {
        cas.push(readFileSync(join(this.options.certsDir, host, 'ca.crt')))
      } catch {
        // no per-registry CA
      }
    }
    return cas.length > 0 ? cas : undefined
  }
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)
}

/** Loopback registries and the daemon's --insecure-registry entries are reached over plain HTTP. */
export function isInsecure(host: string, insecure: readonly string[]): boolean {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
  if (isLoopback(hostname)) return true
  for (const entry of insecure) {
    if (entry === host || entry === hostname) return true
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(entry)
    if (cidr && /^\d+\.\d+\.\d+\.\d+$/.test(hostname)) {
      const bits = Number(cidr[2])
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
      if (((ipv4(hostname) & mask) >>> 0) === ((ipv4(cidr[1] as string) & mask) >>> 0)) return true
    }
  }
  return false
}

const ipv4 = (ip: string): number => ip.split('.').reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0)

/**
 * Credentials for one scope: answers 401 challenges (Basic, or Bearer through the token service)
 * and keeps the resulting Authorization header for the next requests.
 */
class AuthSession {
  private authorization: string | undefined

  constructor(private readonly client: HttpRegistryClient, private readonly auth: RegistryAuth | undefined, private readonly scope: string | undefined) {
    if (auth?.registrytoken) this.authorization = `Bearer ${auth.registrytoken}`
  }

  /**
   * Sends a request, answering one auth challenge when the body can be replayed. With
   * `allow401`, a 401 that credentials could not fix is returned rather than thrown.
   */
  async request(method: string, url: URL, headers: Record<string, string>, body?: Buffer | AsyncIterable<Buffer>, allow401 = false, signal?: AbortSignal): Promise<Sent> {
    const withAuth = (): Record<string, string> => (this.authorization ? { ...headers, Authorization: this.authorization } : headers)
    let sent = await this.client.send(method, url, withAuth(), body, signal)
    const replayable = body === undefined || Buffer.isBuffer(body)
    if (sent.res.statusCode === 401 && replayable) {
      const challenge = sent.res.headers['www-authenticate']
      await drain(sent.res)
      if (challenge && (await this.answer(challenge, url))) sent = await this.client.send(method, url, withAuth(), body, signal)
      else if (!allow401) throw new EngineError('Unauthorized', 'UNAUTHORIZED', 'unauthorized: authentication required')
      else return this.client.send(method, url, withAuth(), body, signal)
    }
    if (sent.res.statusCode === 401 && !allow401) {
      const text = await readAll(sent.res).catch(() => Buffer.alloc(0))
      throw new EngineError('Unauthorized', 'UNAUTHORIZED', registryErrorText(text) ?? 'unauthorized: authentication required')
    }
    return sent
  }

  private async answer(header: string, url: URL): Promise<boolean> {
    const challenges = parseWwwAuthenticate(header)
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    const basic = challenges.find((c) => c.scheme === 'basic')
    const user = this.auth?.username
    const pass = this.auth?.password
    if (bearer?.params.realm) {
      const tokenUrl = new URL(bearer.params.realm)
      if (bearer.params.service) tokenUrl.searchParams.set('service', bearer.params.service)
      const scope = this.scope ?? bearer.params.scope
      if (scope) tokenUrl.searchParams.set('scope', scope)
      const headers: Record<string, string> = {}
      if (user !== undefined && pass !== undefined) headers.Authorization = basicHeader(user, pass)
      const { res } = await this.client.send('GET', tokenUrl, headers, undefined)
      if (res.statusCode !== 200) {
        await drain(res)
        if (res.statusCode === 401 || res.statusCode === 403) {
          throw new EngineError('Unauthorized', 'UNAUTHORIZED', `login attempt to ${url.origin}/v2/ failed with status: ${res.statusCode} ${http.STATUS_CODES[res.statusCode] ?? ''}`.trimEnd())
        }
        throw new EngineError('Unavailable', 'TOKEN_FAILED', `token request to ${tokenUrl.origin} failed with status ${res.statusCode}`)
      }
      const body = JSON.parse((await readAll(res)).toString('utf8')) as { token?: string; access_token?: string }
      const token = body.token ?? body.access_token
      if (!token) return false
      this.authorization = `Bearer ${token}`
      return true
    }
    if (basic && user !== undefined && pass !== undefined) {
      const next = basicHeader(user, pass)
      if (this.authorization === next) return false
      this.authorization = next
      return true
    }
    return false
  }
}

const basicHeader = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

class HttpRepository implements RegistryRepository {
  private readonly session: AuthSession
  private readonly base: string

  constructor(client: HttpRegistryClient, readonly domain: string, readonly path: string, auth: RegistryAuth | undefined, actions: string) {
    this.session = new AuthSession(client, auth, `repository:${path}:${actions}`)
    this.base = `${client.baseUrl(domain)}/v2/${path}`
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    const { res } = await this.session.request('GET', new URL(`${this.base}/manifests/${reference}`), { Accept: manifestAccept })
    const bytes = await expectOk(res, `manifest ${reference}`)
    return { mediaType: (res.headers['content-type'] ?? '').split(';')[0] ?? '', bytes, digest: sha256(bytes) }
  }

  async openBlob(digest: Digest, offset: number, signal?: AbortSignal): Promise<BlobRange> {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {}
    const { res } = await this.session.request('GET', new URL(`${this.base}/blobs/${digest}`), headers, undefined, false, signal)
    if (res.statusCode === 206) return { stream: res, offset: rangeStart(res.headers['content-range']) ?? offset }
    if (res.statusCode === 200) return { stream: res, offset: 0 }
    await expectOk(res, `blob ${digest}`)
    throw new Error('unreachable')
  }

  async statBlob(digest: Digest): Promise<number | undefined> {
    const { res } = await this.session.request('HEAD', new URL(`${this.base}/blobs/${digest}`), {})
    await drain(res)
    if (res.statusCode === 404) return undefined
    if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, '', `blob ${digest}`)
    return Number(res.headers['content-length'] ?? 0)
  }

  async mountBlob(digest: Digest, fromPath: string): Promise<boolean> {
    const url = new URL(`${this.base}/blobs/uploads/`)
    url.searchParams.set('mount', digest)
    url.searchParams.set('from', fromPath)
    const { res, url: at } = await this.session.request('POST', url, { 'Content-Length': '0' })
    await drain(res)
    if (res.statusCode === 201) return true
    if (res.statusCode === 202 && res.headers.location) {
      const cancel = await this.session.request('DELETE', new URL(res.headers.location, at), {})
      await drain(cancel.res)
      return false
    }
    if (res.statusCode === 202) return false
    throw statusError(res.statusCode ?? 0, '', `mount of blob ${digest}`)
  }

  async uploadBlob(
    digest: Digest,
    size: number,
    open: () => Promise<AsyncIterable<Buffer>>,
    opts: { chunkSize?: number; onProgress?: (sent: number) => void; signal?: AbortSignal } = {},
  ): Promise<void> {
    if (!isDigest(digest)) throw new EngineError('InvalidArgument', 'INVALID_DIGEST', `invalid digest "${digest}"`)
    const start = await this.session.request('POST', new URL(`${this.base}/blobs/uploads/`), { 'Content-Length': '0' }, undefined, false, opts.signal)
    await drain(start.res)
    if (start.res.statusCode !== 202 || !start.res.headers.location) throw statusError(start.res.statusCode ?? 0, '', `upload of blob ${digest}`)
    let location = new URL(start.res.headers.location, start.url)
    let sent = 0
    const counted = async function* (src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of src) {
        sent += chunk.length
        opts.onProgress?.(sent)
        yield chunk
      }
    }
    if (opts.chunkSize && opts.chunkSize > 0) {
      // Chunked upload: PATCH with Content-Range per chunk, following the Location each time.
      let offset = 0
      for await (const chunk of rechunk(await open(), opts.chunkSize)) {
        const headers = {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(chunk.length),
          'Content-Range': `${offset}-${offset + chunk.length - 1}`,
        }
        const r = await this.session.request('PATCH', location, headers, chunk, false, opts.signal)
        await expectStatus(r.res, 202, `upload of blob ${digest}`)
        offset += chunk.length
        sent = offset
        opts.onProgress?.(sent)
        if (r.res.headers.location) location = new URL(r.res.headers.location, r.url)
      }
    } else if (size > 0) {
      // Streamed upload: one PATCH with the whole blob (chunked transfer encoding), as Docker does.
      const r = await this.session.request('PATCH', location, { 'Content-Type': 'application/octet-stream' }, counted(await open()), false, opts.signal)
      await expectStatus(r.res, 202, `upload of blob ${digest}`)
      if (r.res.headers.location) location = new URL(r.res.headers.location, r.url)
    }
    location.searchParams.set('digest', digest)
    const done = await this.session.request('PUT', location, { 'Content-Type': 'application/octet-stream', 'Content-Length': '0' }, undefined, false, opts.signal)
    await expectStatus(done.res, 201, `upload of blob ${digest}`)
  }

  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Digest> {
    const { res } = await this.session.request('PUT', new URL(`${this.base}/manifests/${reference}`), { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) }, bytes)
    await expectStatus(res, 201, `manifest ${reference}`)
    const reported = res.headers['docker-content-digest']
    return typeof reported === 'string' && isDigest(reported) ? reported : sha256(bytes)
  }
}

async function* rechunk(src: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let buf: Buffer[] = []
  let n = 0
  for await (const chunk of src) {
    buf.push(chunk)
    n += chunk.length
    while (n >= size) {
      const all = Buffer.concat(buf)
      yield all.subarray(0, size)
      buf = [all.subarray(size)]
      n -= size
    }
  }
  if (n > 0) yield Buffer.concat(buf)
}

function rangeStart(header: string | undefined): number | undefined {
  const m = /bytes (\d+)-/.exec(header ?? '')
  return m ? Number(m[1]) : undefined
}

async function readAll(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

async function drain(res: http.IncomingMessage): Promise<void> {
  res.resume()
  await new Promise<void>((resolve) => {
    if (res.complete || res.destroyed) return resolve()
    res.once('end', resolve)
    res.once('close', resolve)
    res.once('error', () => resolve())
  })
}

/** "manifest unknown: manifest unknown" from the distribution error body. */
function registryErrorText(body: Buffer): string | undefined {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> }
    const first = doc.errors?.[0]
    if (!first) return undefined
    return `${(first.code ?? 'unknown').toLowerCase().replace(/_/g, ' ')}: ${first.message ?? ''}`
  } catch {
    return undefined
  }
}

function statusError(status: number, text: string, what: string): EngineError {
  const message = text || `${what}: unexpected status ${status} ${http.STATUS_CODES[status] ?? ''}`.trimEnd()
  if (status === 404) return new EngineError('NotFound', 'REGISTRY_NOT_FOUND', message)
  if (status === 401) return new EngineError('Unauthorized', 'UNAUTHORIZED', message)
  if (status === 403) return new EngineError('Forbidden', 'DENIED', message)
  if (status === 400) return new EngineError('InvalidArgument', 'REGISTRY_REJECTED', message)
  return new EngineError('Unavailable', 'REGISTRY_ERROR', message)
}

async function expectOk(res: http.IncomingMessage, what: string): Promise<Buffer> {
  const body = await readAll(res)
  if (res.statusCode === 200) return body
  throw statusError(res.statusCode ?? 0, registryErrorText(body) ?? '', what)
}

async function expectStatus(res: http.IncomingMessage, status: number, what: string): Promise<void> {
  const body = await readAll(res)
  if (res.statusCode !== status) throw statusError(res.statusCode ?? 0, registryErrorText(body) ?? '', what)
}
