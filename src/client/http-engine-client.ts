import type { ClientTls } from './endpoint.js'
import type { Readable } from 'node:stream'
import { EngineError, compareVersions } from '../common/index.js'
import {
  MAX_API_VERSION,
  type ContainerAttachOptions,
  type ContainerListOptions,
  type ContainerLogsOptions,
  type ContainerOutput,
  type EngineClient,
  type HijackedConnection,
  type ImageImportOptions,
  type ImageBuildOptions,
  type InspectResult,
  type PingResult,
  type WaitHandle,
} from './engine-client.js'
import { HttpTransport, readBody, type DaemonResponse, type RequestOptions } from './http-transport.js'
import { parseJsonStream } from './json-stream.js'
import { DaemonError } from './errors.js'
import type {
  NetworkConnectRequestWire, NetworkCreateRequestWire, NetworkCreateResponseWire, NetworkDisconnectRequestWire,
  NetworkPruneResponseWire, NetworkWire,
} from '../api/types/index.js'
import type {
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerSummary,
  ContainerWaitResponse,
  ContainerTopResponse,
  ExecCreateRequest,
  ExecInspect,
  EventMessage,
  Filters,
  ImageDeleteItem,
  ImageHistoryItem,
  ImageInspect,
  ImageSummary,
  JsonMessage,
  SystemInfo,
  SystemVersion,
  Volume,
  VolumeCreateRequest,
  VolumePruneResponse,
} from './types.js'

export interface HttpEngineClientOptions {
  /** unix:///path, tcp://host:port or http://host:port. */
  host: string
  /** A fixed API version (like DOCKER_API_VERSION); skips negotiation. */
  apiVersion?: string
  /**
   * Send requests at MAX_API_VERSION without pinging first, and negotiate (ping, then repeat the
   * request once) only when the daemon answers that this version is too new. Saves the /_ping
   * round trip per command with current daemons; older daemons end up at their version as before.
   */
  lazyNegotiation?: boolean
  userAgent?: string
  /** TLS for a tcp:// host (endpoint.ts). */
  tls?: ClientTls
}

/** The oldest version Docker assumes when the daemon does not send Api-Version. */
const FALLBACK_API_VERSION = '1.24'
const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream'
const RAW = 'application/vnd.docker.raw-stream'

/** EngineClient over HTTP/1.1, negotiating the API version like Docker's client. */
export class HttpEngineClient implements EngineClient {
  readonly host: string
  private readonly transport: HttpTransport
  private negotiated: Promise<string> | undefined
  private readonly lazyNegotiation: boolean

  constructor(options: HttpEngineClientOptions) {
    this.host = options.host
    this.lazyNegotiation = options.lazyNegotiation ?? false
    this.transport = new HttpTransport(options.host, options.userAgent ?? 'berth-cli', options.tls)
    if (options.apiVersion) this.negotiated = Promise.resolve(options.apiVersion.replace(/^v/, ''))
  }

  async ping(): Promise<PingResult> {
    const res = await this.transport.send({ method: 'GET', path: '/_ping' })
    await readBody(res)
    const status = res.statusCode ?? 0
    const header = (name: string): string | undefined => {
      const value = res.headers[name.toLowerCase()]
      return Array.isArray(value) ? value[0] : value
    }
    const apiVersion = header('Api-Version')
    if (status >= 300 && apiVersion === undefined) {
      throw new EngineError('Unavailable', 'PING_FAILED', `ping failed with status ${status}`)
    }
    return {
      apiVersion: apiVersion ?? FALLBACK_API_VERSION,
      osType: header('OSType'),
      experimental: header('Docker-Experimental') === 'true',
    }
  }

  apiVersion(): Promise<string> {
    this.negotiated ??= this.ping().then(
      (ping) => (compareVersions(ping.apiVersion, MAX_API_VERSION) < 0 ? ping.apiVersion : MAX_API_VERSION),
      (err: unknown) => {
        this.negotiated = undefined
        throw err
      },
    )
    return this.negotiated
  }

  async version(): Promise<SystemVersion> {
    return (await this.json<SystemVersion>({ method: 'GET', path: '/version' })).value
  }

  async info(): Promise<SystemInfo> {
    return (await this.json<SystemInfo>({ method: 'GET', path: '/info' })).value
  }

  async containerCreate(
    body: ContainerCreateRequest,
    options: { name?: string; platform?: string } = {},
  ): Promise<ContainerCreateResponse> {
    const query = { name: options.name || undefined, platform: options.platform || undefined }
    return (await this.json<ContainerCreateResponse>({ method: 'POST', path: '/containers/create', query, body })).value
  }

  async containerStart(nameOrId: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/start` })
  }

  async containerStop(nameOrId: string, options: { timeoutSeconds?: number; signal?: string } = {}): Promise<void> {
    const query = { t: options.timeoutSeconds, signal: options.signal || undefined }
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/stop`, query })
  }

  async containerKill(nameOrId: string, signal?: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/kill`, query: { signal: signal || undefined } })
  }

  async containerRemove(nameOrId: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const query = { v: options.volumes, force: options.force }
    await this.call({ method: 'DELETE', path: `/containers/${enc(nameOrId)}`, query })
  }

  async containerList(options: ContainerListOptions = {}): Promise<ContainerSummary[]> {
    const query = {
      all: options.all,
      limit: options.limit !== undefined && options.limit > 0 ? options.limit : undefined,
      size: options.size,
      filters: encodeFilters(options.filters),
    }
    return (await this.json<ContainerSummary[]>({ method: 'GET', path: '/containers/json', query })).value ?? []
  }

  containerInspect(nameOrId: string, options: { size?: boolean } = {}): Promise<InspectResult<ContainerInspect>> {
    return this.json<ContainerInspect>({ method: 'GET', path: `/containers/${enc(nameOrId)}/json`, query: { size: options.size } })
  }

  async containerLogs(nameOrId: string, options: ContainerLogsOptions): Promise<ContainerOutput> {
    const query = {
      follow: options.follow,
      stdout: options.stdout,
      stderr: options.stderr,
      timestamps: options.timestamps,
      details: options.details,
      tail: options.tail,
      since: options.since,
      until: options.until,
    }
    const res = await this.stream({ method: 'GET', path: `/containers/${enc(nameOrId)}/logs`, query, signal: options.signal })
    return { stream: res, multiplexed: multiplexedFrom(res) }
  }

  async containerWait(nameOrId: string, condition?: 'not-running' | 'next-exit' | 'removed'): Promise<WaitHandle> {
    const res = await this.stream({ method: 'POST', path: `/containers/${enc(nameOrId)}/wait`, query: { condition } })
    const result = readBody(res).then((body): ContainerWaitResponse => {
      const parsed = JSON.parse(body) as ContainerWaitResponse
      return { StatusCode: parsed.StatusCode, Error: parsed.Error ?? null }
    })
    result.catch(() => {})
    // The handle exists only once the headers are in, so cancelling is closing the response (and
    // its connection); no AbortSignal, whose first use costs a few ms on `run`'s critical path.
    return { result, cancel: () => res.destroy() }
  }

  async containerAttach(nameOrId: string, options: ContainerAttachOptions): Promise<HijackedConnection> {
    const query = {
      stream: options.stream ?? true,
      logs: options.logs,
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      detachKeys: options.detachKeys,
    }
    const { socket, response } = await this.versionedSend(
      { method: 'POST', path: `/containers/${enc(nameOrId)}/attach`, query },
      (options) => this.transport.hijack(options),
    )
    const closable = socket as { end(): void; destroy(): void }
    return {
      stream: socket,
      multiplexed: multiplexedFrom(response),
      closeWrite: () => closable.end(),
      close: () => closable.destroy(),
    }
  }

  async containerResize(nameOrId: string, size: { height: number; width: number }): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/resize`, query: { h: size.height, w: size.width } })
  }

  containerTop(nameOrId: string, psArgs?: string): Promise<ContainerTopResponse> {
    return this.json<ContainerTopResponse>({ method: 'GET', path: `/containers/${enc(nameOrId)}/top`, query: { ps_args: psArgs } }).then((r) => r.value)
  }

  async execCreate(containerNameOrId: string, body: ExecCreateRequest): Promise<{ Id: string }> {
    return (await this.json<{ Id: string }>({ method: 'POST', path: `/containers/${enc(containerNameOrId)}/exec`, body })).value
  }

  execStart(execId: string, options: { detach: true; tty?: boolean; consoleSize?: [number, number] }): Promise<void>
  execStart(execId: string, options: { detach: false; tty?: boolean; consoleSize?: [number, number] }): Promise<HijackedConnection>
  async execStart(execId: string, options: { detach: boolean; tty?: boolean; consoleSize?: [number, number] }): Promise<HijackedConnection | void> {
    const body = { Detach: options.detach, Tty: options.tty === true, ...(options.consoleSize ? { ConsoleSize: options.consoleSize } : {}) }
    const request = { method: 'POST', path: `/exec/${enc(execId)}/start`, body }
    if (options.detach) {
      await this.call(request)
      return
    }
    const { socket, response } = await this.versionedSend(request, (o) => this.transport.hijack(o))
    const closable = socket as { end(): void; destroy(): void }
    return { stream: socket, multiplexed: multiplexedFrom(response), closeWrite: () => closable.end(), close: () => closable.destroy() }
  }

  async execInspect(execId: string): Promise<ExecInspect> {
    return (await this.json<ExecInspect>({ method: 'GET', path: `/exec/${enc(execId)}/json` })).value
  }

  async execResize(execId: string, size: { height: number; width: number }): Promise<void> {
    await this.call({ method: 'POST', path: `/exec/${enc(execId)}/resize`, query: { h: size.height, w: size.width } })
  }

  async containerRename(nameOrId: string, newName: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/rename`, query: { name: newName } })
  }

  async containerRestart(nameOrId: string, options: { timeoutSeconds?: number; signal?: string } = {}): Promise<void> {
    const query = { t: options.timeoutSeconds, signal: options.signal || undefined }
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/restart`, query })
  }

  async containerPause(nameOrId: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/pause` })
  }

  async containerUnpause(nameOrId: string): Promise<void> {
    await this.call({ method: 'POST', path: `/containers/${enc(nameOrId)}/unpause` })
  }

  async containerUpdate(nameOrId: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }> {
    return (await this.json<{ Warnings: string[] | null }>({ method: 'POST', path: `/containers/${enc(nameOrId)}/update`, body })).value
  }

  async containerPrune(filters?: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const query = { filters: encodeFilters(filters) }
    return (await this.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>({ method: 'POST', path: '/containers/prune', query })).value
  }

  async systemDiskUsage(): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return (await this.json<Record<string, unknown>>({ method: 'GET', path: '/system/df' })).value
  }

  async containerStats(
    nameOrId: string,
    options: { stream: boolean; oneShot?: boolean; signal?: AbortSignal },
  ): Promise<AsyncIterable<Record<string, unknown>>> {
    const query = { stream: options.stream ? '1' : '0', 'one-shot': options.oneShot || undefined }
    const res = await this.stream({ method: 'GET', path: `/containers/${enc(nameOrId)}/stats`, query, signal: options.signal })
    return parseJsonStream<Record<string, unknown>>(res)
  }

  async imageList(options: { all?: boolean; digests?: boolean; filters?: Filters } = {}): Promise<ImageSummary[]> {
    const query = { all: options.all, digests: options.digests, filters: encodeFilters(options.filters) }
    return (await this.json<ImageSummary[]>({ method: 'GET', path: '/images/json', query })).value ?? []
  }

  imageInspect(nameOrId: string): Promise<InspectResult<ImageInspect>> {
    return this.json<ImageInspect>({ method: 'GET', path: `/images/${enc(nameOrId)}/json` })
  }

  async imageTag(nameOrId: string, target: { repo: string; tag?: string }): Promise<void> {
    await this.call({ method: 'POST', path: `/images/${enc(nameOrId)}/tag`, query: { repo: target.repo, tag: target.tag } })
  }

  async imageRemove(nameOrId: string, options: { force?: boolean; noPrune?: boolean } = {}): Promise<ImageDeleteItem[]> {
    const query = { force: options.force, noprune: options.noPrune }
    return (await this.json<ImageDeleteItem[]>({ method: 'DELETE', path: `/images/${enc(nameOrId)}`, query })).value ?? []
  }

  async volumeCreate(body: VolumeCreateRequest): Promise<Volume> {
    return (await this.json<Volume>({ method: 'POST', path: '/volumes/create', body })).value
  }

  async volumeList(options: { filters?: Filters } = {}): Promise<{ Volumes: Volume[]; Warnings: string[] | null }> {
    const query = { filters: encodeFilters(options.filters) }
    const value = (await this.json<{ Volumes: Volume[] | null; Warnings: string[] | null }>({ method: 'GET', path: '/volumes', query })).value
    return { Volumes: value?.Volumes ?? [], Warnings: value?.Warnings ?? null }
  }

  volumeInspect(name: string): Promise<InspectResult<Volume>> {
    return this.json<Volume>({ method: 'GET', path: `/volumes/${enc(name)}` })
  }

  async volumeRemove(name: string, options: { force?: boolean } = {}): Promise<void> {
    await this.call({ method: 'DELETE', path: `/volumes/${enc(name)}`, query: { force: options.force } })
  }

  async volumePrune(options: { filters?: Filters } = {}): Promise<VolumePruneResponse> {
    return (await this.json<VolumePruneResponse>({ method: 'POST', path: '/volumes/prune', query: { filters: encodeFilters(options.filters) } })).value
  }

  async imageHistory(nameOrId: string): Promise<ImageHistoryItem[]> {
    return (await this.json<ImageHistoryItem[]>({ method: 'GET', path: `/images/${enc(nameOrId)}/history` })).value ?? []
  }

  async imageImport(source: Readable | { url: string }, options: ImageImportOptions = {}): Promise<AsyncIterable<JsonMessage>> {
    const fromUrl = 'url' in source && typeof source.url === 'string'
    const query = {
      fromSrc: fromUrl ? (source as { url: string }).url : '-',
      repo: options.repo ?? '',
      tag: options.tag ?? '',
      message: options.message ?? '',
      changes: options.changes,
      platform: options.platform || undefined,
    }
    const res = await this.stream({
      method: 'POST',
      path: '/images/create',
      query,
      body: fromUrl ? undefined : source,
      headers: fromUrl ? undefined : { 'Content-Type': 'application/x-tar' },
    })
    return parseJsonStream<JsonMessage>(res)
  }

  async imageBuild(context: Readable, options: ImageBuildOptions = {}): Promise<AsyncIterable<JsonMessage>> {
    const query = {
      dockerfile: options.dockerfile || undefined,
      t: options.tags,
      buildargs: options.buildArgs && Object.keys(options.buildArgs).length > 0 ? JSON.stringify(options.buildArgs) : undefined,
      target: options.target || undefined,
      nocache: options.noCache,
      labels: options.labels && Object.keys(options.labels).length > 0 ? JSON.stringify(options.labels) : undefined,
      q: options.quiet,
      pull: options.pull,
      cachefrom: options.cacheFrom && options.cacheFrom.length > 0 ? JSON.stringify(options.cacheFrom) : undefined,
      platform: options.platform || undefined,
      contextkey: options.contextKey || undefined,
      rm: true,
    }
    const res = await this.stream({
      method: 'POST', path: '/build', query, body: context, headers: { 'Content-Type': 'application/x-tar' }, signal: options.signal,
    })
    return parseJsonStream<JsonMessage>(res)
  }

  async buildContextMissing(contextKey: string, files: Record<string, string>): Promise<string[]> {
    const res = await this.json<{ missing?: string[] }>({ method: 'POST', path: '/berth/build/context', query: { key: contextKey }, body: { files } })
    return res.value?.missing ?? []
  }

  async imagePull(ref: string, options: { platform?: string; registryAuth?: string } = {}): Promise<AsyncIterable<JsonMessage>> {
    const { name, tag } = splitPullReference(ref)
    const query = { fromImage: name, tag, platform: options.platform || undefined }
    const headers = options.registryAuth ? { 'X-Registry-Auth': options.registryAuth } : undefined
    return parseJsonStream<JsonMessage>(await this.stream({ method: 'POST', path: '/images/create', query, headers }))
  }

  async imagePush(name: string, options: { tag?: string; registryAuth?: string } = {}): Promise<AsyncIterable<JsonMessage>> {
    // The docker CLI always sends the header; "e30=" is "{}".
    const headers = { 'X-Registry-Auth': options.registryAuth ?? 'e30=' }
    const res = await this.stream({ method: 'POST', path: `/images/${enc(name)}/push`, query: { tag: options.tag || undefined }, headers })
    return parseJsonStream<JsonMessage>(res)
  }

  async registryLogin(auth: { username?: string; password?: string; serveraddress?: string }): Promise<{ Status: string; IdentityToken?: string }> {
    return (await this.json<{ Status: string; IdentityToken?: string }>({ method: 'POST', path: '/auth', body: auth })).value
  }

  async containerArchiveStat(nameOrId: string, path: string): Promise<ContainerPathStat> {
    const res = await this.stream({ method: 'HEAD', path: `/containers/${encodeURIComponent(nameOrId)}/archive`, query: { path } })
    await readBody(res)
    return decodePathStat(res.headers['x-docker-container-path-stat'])
  }

  async containerArchive(nameOrId: string, path: string): Promise<{ stat: ContainerPathStat; content: Readable }> {
    const res = await this.stream({ method: 'GET', path: `/containers/${encodeURIComponent(nameOrId)}/archive`, query: { path } })
    return { stat: decodePathStat(res.headers['x-docker-container-path-stat']), content: res }
  }

  async containerExtract(nameOrId: string, path: string, content: Readable, options: { copyUidGid?: boolean; noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
    await this.call({
      method: 'PUT', path: `/containers/${encodeURIComponent(nameOrId)}/archive`,
      query: { path, copyUIDGID: options.copyUidGid || undefined, noOverwriteDirNonDir: options.noOverwriteDirNonDir ?? true },
      body: content, headers: { 'Content-Type': 'application/x-tar' },
    })
  }

  async containerCommit(nameOrId: string, options: { reference?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] } = {}): Promise<{ Id: string }> {
    let repo: string | undefined
    let tag: string | undefined
    if (options.reference) {
      const slash = options.reference.lastIndexOf('/')
      const colon = options.reference.lastIndexOf(':')
      if (colon > slash) {
        repo = options.reference.slice(0, colon)
        tag = options.reference.slice(colon + 1)
      } else {
        repo = options.reference
      }
    }
    return (await this.json<{ Id: string }>({
      method: 'POST', path: '/commit',
      query: { container: nameOrId, repo, tag, comment: options.comment, author: options.author, pause: options.pause === false ? false : undefined, changes: options.changes },
      body: {},
    })).value
  }

  async containerChanges(nameOrId: string): Promise<Array<{ Path: string; Kind: number }>> {
    return (await this.json<Array<{ Path: string; Kind: number }> | null>({ method: 'GET', path: `/containers/${encodeURIComponent(nameOrId)}/changes` })).value ?? []
  }

  async containerExport(nameOrId: string): Promise<Readable> {
    return this.stream({ method: 'GET', path: `/containers/${encodeURIComponent(nameOrId)}/export` })
  }

  async imageSave(names: string[]): Promise<Readable> {
    return this.stream({ method: 'GET', path: '/images/get', query: { names } })
  }

  async imageLoad(source: Readable, options: { quiet?: boolean } = {}): Promise<AsyncIterable<JsonMessage>> {
    const res = await this.stream({ method: 'POST', path: '/images/load', query: { quiet: options.quiet }, body: source, headers: { 'Content-Type': 'application/x-tar' } })
    return parseJsonStream<JsonMessage>(res)
  }

  async imagePrune(filters?: Filters): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }> {
    return (await this.json<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }>({ method: 'POST', path: '/images/prune', query: { filters: encodeFilters(filters) } })).value
  }

  async imageSearch(term: string, options: { limit?: number; registryAuth?: string } = {}): Promise<Array<{ name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }>> {
    const headers = options.registryAuth ? { 'X-Registry-Auth': options.registryAuth } : undefined
    const res = await this.json<Array<{ name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }>>({ method: 'GET', path: '/images/search', query: { term, limit: options.limit }, headers })
    return res.value ?? []
  }

  async imageBootstrap(name: string): Promise<AsyncIterable<JsonMessage>> {
    // berth's own endpoint, served unversioned.
    const res = await this.transport.request({ method: 'POST', path: '/berth/images/bootstrap', query: { name } })
    return parseJsonStream<JsonMessage>(res)
  }

  async events(
    options: { since?: string; until?: string; filters?: Filters; signal?: AbortSignal } = {},
  ): Promise<AsyncIterable<EventMessage>> {
    const query = { since: options.since, until: options.until, filters: encodeFilters(options.filters) }
    const res = await this.stream({ method: 'GET', path: '/events', query, signal: options.signal })
    return parseJsonStream<EventMessage>(res, { int64Fields: ['timeNano'] })
  }

  close(): void {
    this.transport.close()
  }

  private async versioned(options: RequestOptions): Promise<RequestOptions> {
    return { ...options, path: `/v${await this.apiVersion()}${options.path}` }
  }

  /**
   * Sends `options` under the API version prefix. With lazy negotiation and no version known yet,
   * tries MAX_API_VERSION first and negotiates only if the daemon rejects it as too new (a request
   * that streams a body cannot be repeated, so it negotiates first, unless a request already went
   * through at MAX_API_VERSION).
   */
  private async versionedSend<T>(options: RequestOptions, send: (options: RequestOptions) => Promise<T>): Promise<T> {
    if (this.negotiated || !this.lazyNegotiation || isStream(options.body)) return send(await this.versioned(options))
    try {
      const result = await send({ ...options, path: `/v${MAX_API_VERSION}${options.path}` })
      // The daemon took this version: later requests (a streamed body too) need no ping.
      this.negotiated ??= Promise.resolve(MAX_API_VERSION)
      return result
    } catch (err) {
      if (!isVersionTooNew(err)) throw err
    }
    return send(await this.versioned(options))
  }

  async networkList(options: { filters?: Filters } = {}): Promise<NetworkWire[]> {
    return (await this.json<NetworkWire[]>({ method: 'GET', path: '/networks', query: { filters: encodeFilters(options.filters) } })).value ?? []
  }

  networkInspect(nameOrId: string): Promise<InspectResult<NetworkWire>> {
    return this.json<NetworkWire>({ method: 'GET', path: `/networks/${enc(nameOrId)}` })
  }

  async networkCreate(body: NetworkCreateRequestWire): Promise<NetworkCreateResponseWire> {
    return (await this.json<NetworkCreateResponseWire>({ method: 'POST', path: '/networks/create', body })).value
  }

  async networkRemove(nameOrId: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/networks/${enc(nameOrId)}` })
  }

  async networkConnect(nameOrId: string, body: NetworkConnectRequestWire): Promise<void> {
    await this.call({ method: 'POST', path: `/networks/${enc(nameOrId)}/connect`, body })
  }

  async networkDisconnect(nameOrId: string, body: NetworkDisconnectRequestWire): Promise<void> {
    await this.call({ method: 'POST', path: `/networks/${enc(nameOrId)}/disconnect`, body })
  }

  async networkPrune(options: { filters?: Filters } = {}): Promise<NetworkPruneResponseWire> {
    return (await this.json<NetworkPruneResponseWire>({ method: 'POST', path: '/networks/prune', query: { filters: encodeFilters(options.filters) } })).value
  }

  private stream(options: RequestOptions): Promise<DaemonResponse> {
    return this.versionedSend(options, (versioned) => this.transport.request(versioned))
  }

  private async call(options: RequestOptions): Promise<void> {
    await readBody(await this.stream(options))
  }

  private json<T>(options: RequestOptions): Promise<{ value: T; raw: string }> {
    return this.versionedSend(options, (versioned) => this.transport.json<T>(versioned))
  }
}

/** The daemon's answer to a version above its maximum (moby's wording, old and current). */
function isVersionTooNew(err: unknown): boolean {
  return (
    err instanceof DaemonError &&
    err.statusCode === 400 &&
    /client version \S+ is too new|client is newer than server/.test(err.message)
  )
}

function isStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function'
}


/** Docker's filters JSON: {"status":{"exited":true}}. */
function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined
  const out: Record<string, Record<string, boolean>> = {}
  for (const [key, values] of Object.entries(filters)) {
    out[key] = Object.fromEntries(values.map((v) => [v, true]))
  }
  return JSON.stringify(out)
}

function multiplexedFrom(res: DaemonResponse): boolean | undefined {
  const type = res.headers['content-type']
  if (type?.startsWith(MULTIPLEXED)) return true
  if (type?.startsWith(RAW)) return false
  return undefined
}

/**
 * Docker's fromImage/tag split for pulls: "repo:tag" -> repo + tag, "repo@sha256:..." -> repo +
 * the digest, and a bare name gets "latest".
 */
export function splitPullReference(ref: string): { name: string; tag: string } {
  const at = ref.indexOf('@')
  if (at !== -1) {
    const name = ref.slice(0, at)
    const colon = name.lastIndexOf(':')
    return { name: colon > name.lastIndexOf('/') ? name.slice(0, colon) : name, tag: ref.slice(at + 1) }
  }
  const colon = ref.lastIndexOf(':')
  if (colon > ref.lastIndexOf('/')) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) }
  return { name: ref, tag: 'latest' }
}

/** Escapes a path segment like Go's URL encoding: image references keep their '/', ':' and '@'. */
function enc(segment: string): string {
  return encodeURIComponent(segment).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/g, '@')
}

/** The daemon's X-Docker-Container-Path-Stat header (base64 JSON). */
export interface ContainerPathStat {
  name: string
  size: number
  mode: number
  mtime: string
  linkTarget: string
}

function decodePathStat(header: string | string[] | undefined): ContainerPathStat {
  const raw = Array.isArray(header) ? header[0] : header
  if (!raw) return { name: '', size: 0, mode: 0, mtime: '', linkTarget: '' }
  return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as ContainerPathStat
}
