/**
 * Service images: the name a service runs (`image:` or `<project>-<service>` for build-only
 * services), building with the engine's build API, pulling and pushing.
 *
 * Rebuild detection: the built image carries LABEL_BUILD_HASH, a digest of what the build reads
 * (every context file .dockerignore keeps, with modes and contents, the Dockerfile, args, target).
 * `up` builds when the image is missing, with --build, or when that digest no longer matches,
 * i.e. when the context changed; otherwise the image is used as is and nothing is sent.
 */
import { createHash } from 'node:crypto'
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import type { Readable } from 'node:stream'
import { DockerIgnore, isEngineError } from '../../common/index.js'
import type { EngineClient, JsonMessage } from '../../client/index.js'
import { ComposeError } from '../model/index.js'
import type { ComposeProject, ServiceConfig } from '../model/index.js'
import { stableJson } from './config-hash.js'
import { done, failed, working, type ProgressSink } from './progress.js'

/** On images compose builds: the digest of the build's inputs (see above). */
export const LABEL_BUILD_HASH = 'com.docker.compose.build.hash'

/**
 * Makes the build context archive the way `berth build` does (.dockerignore applied, the
 * Dockerfile and .dockerignore always sent), plus `extra` files at the archive root.
 */
export type ContextArchiver = (dir: string, options: { dockerfile: string; extra: Record<string, Buffer> }) => Readable

/** The image a service's containers are created from. */
export function serviceImageName(project: ComposeProject, service: ServiceConfig): string {
  return service.image ?? `${project.name}-${service.name}`
}

/** Where the Dockerfile comes from: a path inside the context, or content sent as an extra file. */
function dockerfileSource(build: NonNullable<ServiceConfig['build']>): { name: string; extra: Record<string, Buffer> } {
  if (build.dockerfileInline !== undefined) {
    return { name: '.dockerfile.inline', extra: { '.dockerfile.inline': Buffer.from(build.dockerfileInline) } }
  }
  const abs = isAbsolute(build.dockerfile) ? build.dockerfile : join(build.context, build.dockerfile)
  const rel = relative(build.context, abs)
  if (rel.startsWith('..') || isAbsolute(rel)) {
    try {
      return { name: '.dockerfile.compose', extra: { '.dockerfile.compose': readFileSync(abs) } }
    } catch {
      throw new ComposeError(`failed to read dockerfile: open ${abs}: no such file or directory`)
    }
  }
  return { name: rel.split('\\').join('/'), extra: {} }
}

/** Digest of everything the build of `service` reads (the LABEL_BUILD_HASH value). */
export function buildInputsHash(service: ServiceConfig): string {
  const build = service.build
  if (!build) throw new ComposeError(`service "${service.name}" has no build section`)
  const hash = createHash('sha256')
  let ignore: DockerIgnore | undefined
  try {
    ignore = DockerIgnore.parse(readFileSync(join(build.context, '.dockerignore'), 'utf8'))
  } catch {
    ignore = undefined
  }
  const source = dockerfileSource(build)
  const keep = new Set(['.dockerignore', source.name])
  const walk = (rel: string): void => {
    let names: string[]
    try {
      names = readdirSync(join(build.context, rel)).sort()
    } catch (err) {
      throw new ComposeError(`unable to prepare context: path "${build.context}" not found`, {}, { cause: err })
    }
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name
      const host = join(build.context, childRel)
      const st = lstatSync(host)
      if (ignore?.ignores(childRel) && !keep.has(childRel)) {
        if (st.isDirectory() && ignore.mayReinclude(childRel)) walk(childRel)
        continue
      }
      hash.update(`${childRel}\0${st.mode}\0`)
      if (st.isDirectory()) walk(childRel)
      else if (st.isSymbolicLink()) hash.update(`link:${readlinkSync(host)}\0`)
      else if (st.isFile()) hash.update(createHash('sha256').update(readFileSync(host)).digest('hex') + '\0')
    }
  }
  walk('')
  for (const [name, data] of Object.entries(source.extra)) hash.update(`extra:${name}\0`).update(data)
  hash.update(stableJson({ dockerfile: source.name, args: build.args, target: build.target ?? null, labels: build.labels }))
  return hash.digest('hex')
}

export interface BuildOptions {
  noCache?: boolean
  pull?: boolean
  /** --build-arg overrides. */
  args?: Record<string, string | null>
  /** Build output (the classic builder's stream text). */
  output?: (service: string, text: string) => void
}

/** Builds a service's image; returns its id. */
export async function buildService(
  client: EngineClient,
  archiver: ContextArchiver,
  project: ComposeProject,
  service: ServiceConfig,
  options: BuildOptions,
  progress: ProgressSink,
): Promise<string> {
  const build = service.build!
  const imageName = serviceImageName(project, service)
  const id = `Service ${service.name}`
  progress(working(id, 'Building'))
  const source = dockerfileSource(build)
  const context = archiver(build.context, { dockerfile: source.name, extra: source.extra })
  const messages = await client.imageBuild(context, {
    dockerfile: source.name,
    tags: [imageName, ...build.tags],
    buildArgs: { ...build.args, ...options.args },
    ...(build.target ? { target: build.target } : {}),
    noCache: options.noCache === true || build.noCache === true,
    pull: options.pull === true || build.pull === true,
    cacheFrom: build.cacheFrom,
    labels: { ...build.labels, [LABEL_BUILD_HASH]: buildInputsHash(service) },
    ...(service.platform ? { platform: service.platform } : {}),
  })
  let imageId: string | undefined
  for await (const m of messages) {
    if (m.errorDetail || m.error) {
      const message = m.errorDetail?.message ?? m.error ?? 'build failed'
      progress(failed(id, 'Error', message))
      throw new ComposeError(`failed to solve: ${message}`)
    }
    const aux = m.aux as { ID?: string } | undefined
    if (aux?.ID) imageId = aux.ID
    if (m.stream !== undefined) options.output?.(service.name, m.stream)
  }
  imageId ??= (await client.imageInspect(imageName)).value.Id
  progress(done(id, 'Built'))
  return imageId
}

/** The image's id and labels, or undefined when it does not exist. */
export async function inspectImage(client: EngineClient, ref: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
  try {
    const { value } = await client.imageInspect(ref)
    return { id: value.Id, labels: (value.Config?.Labels as Record<string, string> | null | undefined) ?? {} }
  } catch (err) {
    if (isEngineError(err, 'NotFound')) return undefined
    throw err
  }
}

/** Drains a pull/push stream, turning its first error into an exception. */
async function drain(messages: AsyncIterable<JsonMessage>): Promise<void> {
  for await (const m of messages) {
    if (m.errorDetail || m.error) throw new ComposeError(m.errorDetail?.message ?? m.error ?? 'failed')
  }
}

export async function pullImage(client: EngineClient, serviceName: string, ref: string, registryAuth: string | undefined, progress: ProgressSink): Promise<void> {
  const id = serviceName
  progress(working(id, 'Pulling'))
  try {
    await drain(await client.imagePull(ref, registryAuth ? { registryAuth } : {}))
  } catch (err) {
    progress(failed(id, 'Error', (err as Error).message))
    throw err
  }
  progress(done(id, 'Pulled'))
}

export async function pushImage(client: EngineClient, serviceName: string, ref: string, registryAuth: string | undefined, progress: ProgressSink): Promise<void> {
  const id = `Image ${ref}`
  progress(working(id, 'Pushing'))
  const colon = ref.lastIndexOf(':')
  const [name, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest']
  try {
    await drain(await client.imagePush(name, { tag, ...(registryAuth ? { registryAuth } : {}) }))
  } catch (err) {
    progress(failed(id, 'Error', `${serviceName}: ${(err as Error).message}`))
    throw err
  }
  progress(done(id, 'Pushed'))
}
