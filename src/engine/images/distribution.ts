import { join } from 'node:path'
import { EngineError, type Digest } from '../../common/index.js'
import type { ExternalDecompressor, ProgressSink, RegistryAuth, RegistryClient } from './distribution-types.js'
import type { ImageStore } from './image-store.js'
import { LayerSources } from './layer-sources.js'
import { pullImage, type PullOptions } from './pull.js'
import { pushImage, type PushOptions, type PushResult } from './push.js'
import { parseReference } from './reference.js'
import type { ImageRecord } from './types.js'

export interface ImageDistributionDeps {
  store: ImageStore
  /** <data>: distribution/ lives under it. */
  dataRoot: string
  registry: RegistryClient
  decompressor?: ExternalDecompressor
  /** Parallel layer transfers per pull/push (dockerd's max-concurrent-downloads/uploads); read at each call, so a reload can change them. */
  transfers?: { downloads: number; uploads: number }
}

/** Moving images between berth and registries: pull, push, login, search. */
export interface ImageDistributionService {
  pull(ref: string, opts?: PullOptions): Promise<ImageRecord>
  /** Pushes one tag, or every tag of the repository when tag is undefined. */
  push(name: string, tag: string | undefined, opts?: PushOptions): Promise<PushResult[]>
  /** Unauthorized with Docker's message when the registry refuses the credentials. */
  login(auth: RegistryAuth): Promise<{ status: string; identityToken?: string }>
  /** Repository names of a registry's catalog that contain `term` ("host:port/term" picks the registry). */
  search(term: string, auth?: RegistryAuth): Promise<string[]>
  /** Deletes compressed layer blobs whose layer is gone (after rmi). */
  collectGarbage(): Promise<void>
}

export class ImageDistribution implements ImageDistributionService {
  readonly sources: LayerSources

  constructor(private readonly deps: ImageDistributionDeps) {
    this.sources = new LayerSources(join(deps.dataRoot, 'distribution'))
  }

  async pull(ref: string, opts: PullOptions = {}): Promise<ImageRecord> {
    await this.collectGarbage()
    return pullImage({ store: this.deps.store, sources: this.sources, registry: this.deps.registry, decompressor: this.deps.decompressor }, ref, {
      ...opts, concurrency: opts.concurrency ?? this.deps.transfers?.downloads,
    })
  }

  async push(name: string, tag: string | undefined, opts: PushOptions = {}): Promise<PushResult[]> {
    await this.collectGarbage()
    return pushImage({ store: this.deps.store, sources: this.sources, registry: this.deps.registry }, name, tag, {
      ...opts, concurrency: opts.concurrency ?? this.deps.transfers?.uploads,
    })
  }

  async login(auth: RegistryAuth): Promise<{ status: string; identityToken?: string }> {
    const server = (auth.serveraddress ?? '').replace(/^https?:\/\//, '').replace(/\/.*$/, '')
    const domain = server === '' || /(^|\.)docker\.io$/.test(server) ? 'docker.io' : server
    const result = await this.deps.registry.login(domain, auth)
    return { status: 'Login Succeeded', ...(result.identityToken ? { identityToken: result.identityToken } : {}) }
  }

  async search(term: string, auth?: RegistryAuth): Promise<string[]> {
    const slash = term.indexOf('/')
    const first = slash < 0 ? '' : term.slice(0, slash)
    if (!(first.includes('.') || first.includes(':') || first === 'localhost')) {
      throw new EngineError('NotImplemented', 'SEARCH_NOT_SUPPORTED', 'Searching Docker Hub is not supported by berth (no access to it); search a registry\'s catalog with "berth search HOST:PORT/TERM"')
    }
    const { domain } = parseReference(`${first}/x`)
    const needle = term.slice(slash + 1)
    return (await this.deps.registry.catalog(domain, auth)).filter((r) => r.includes(needle))
  }

  async collectGarbage(): Promise<void> {
    const content = this.deps.store.content
    const gone: Digest[] = []
    for (const [diffId, sources] of await this.sources.all()) {
      if (await content.has(diffId)) continue
      for (const s of sources) await content.delete(s.digest)
      gone.push(diffId)
    }
    if (gone.length > 0) await this.sources.forget(gone)
  }
}

export type { ProgressSink }
