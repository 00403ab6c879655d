import type { EngineClient, EventMessage } from '../../client/index.js'
import { LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from '../labels.js'
import { byName, canonicalName, listProjectContainers, serviceOf } from './project-containers.js'

/** One container's processes (Compose's ContainerProcSummary). */
export interface ContainerProcesses {
  id: string
  name: string
  service: string
  titles: string[]
  processes: string[][]
}

/** Compose's Top: the running containers (one-off ones too) of the services, sorted by name. */
export async function projectTop(client: EngineClient, projectName: string, services: string[] = []): Promise<ContainerProcesses[]> {
  let containers = await listProjectContainers(client, projectName, { oneOff: 'include' })
  if (services.length > 0) containers = containers.filter((c) => services.includes(serviceOf(c)))
  const out = await Promise.all(containers.sort(byName).map(async (c) => {
    const top = await client.containerTop(c.Id)
    return { id: c.Id, name: canonicalName(c), service: serviceOf(c), titles: top.Titles, processes: top.Processes }
  }))
  return out
}

/** One row of `compose images`. */
export interface ContainerImage {
  containerName: string
  /** Full image id ("sha256:..."). */
  id: string
  /** Familiar repository of the container's image reference; "" when it was an id. */
  repository: string
  tag: string
  size: number
}

/** Compose's Images: the image of every container of the project (stopped ones too), by container name. */
export async function projectImages(client: EngineClient, projectName: string, services: string[] = []): Promise<ContainerImage[]> {
  let containers = await client.containerList({ all: true, filters: { label: [`${LABEL_PROJECT}=${projectName.toLowerCase()}`] } })
  if (services.length > 0) containers = containers.filter((c) => services.includes(serviceOf(c)))
  const rows = await Promise.all(containers.map(async (c) => {
    const { value: image } = await client.imageInspect(c.Image)
    const { repository, tag } = splitImageRef(c.Image)
    return { containerName: canonicalName(c), id: image.Id, repository, tag, size: image.Size ?? 0 }
  }))
  return rows.sort((a, b) => (a.containerName < b.containerName ? -1 : a.containerName > b.containerName ? 1 : 0))
}

/**
 * reference.ParseDockerRef + FamiliarName: "busybox" -> busybox / latest, "docker.io/library/x:1"
 * -> x / 1, "host:5000/a/b@sha256:..." -> host:5000/a/b / "". An image id is no reference: "" / "".
 */
export function splitImageRef(ref: string): { repository: string; tag: string } {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(ref)) return { repository: '', tag: '' }
  let name = ref
  let tag = ''
  const at = name.indexOf('@')
  if (at >= 0) name = name.slice(0, at)
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  if (colon > slash) {
    tag = name.slice(colon + 1)
    name = name.slice(0, colon)
  } else if (at < 0) {
    tag = 'latest'
  }
  name = name.replace(/^docker\.io\//, '').replace(/^index\.docker\.io\//, '').replace(/^library\//, '')
  return { repository: name, tag }
}

/** A container event of the project, as Compose's Events hands it to its consumer. */
export interface ProjectEvent {
  /** Nanoseconds since the epoch. */
  timeNano: bigint
  service: string
  container: string
  action: string
  /** The actor's attributes without the com.docker.compose.* labels. */
  attributes: Record<string, string>
}

/** Compose's event filter and mapping: container events of the project, one-off containers and other services left out. */
export function toProjectEvent(event: EventMessage, services: string[] = []): ProjectEvent | undefined {
  if (event.Type !== 'container') return undefined
  const attrs = event.Actor?.Attributes ?? {}
  if (attrs[LABEL_ONEOFF] === 'True') return undefined
  const service = attrs[LABEL_SERVICE] ?? ''
  if (services.length > 0 && !services.includes(service)) return undefined
  const attributes: Record<string, string> = {}
  for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('com.docker.compose.')) attributes[k] = v
  const timeNano = event.timeNano ? BigInt(event.timeNano) : BigInt(event.time ?? 0) * 1_000_000_000n
  return { timeNano, service, container: event.Actor.ID, action: event.Action, attributes }
}

/** The project's events as they happen (until `until`, or until the signal aborts). */
export async function* projectEvents(
  client: EngineClient,
  projectName: string,
  options: { services?: string[]; since?: string; until?: string; signal?: AbortSignal } = {},
): AsyncIterable<ProjectEvent> {
  const messages = await client.events({
    since: options.since, until: options.until, signal: options.signal,
    filters: { label: [`${LABEL_PROJECT}=${projectName.toLowerCase()}`] },
  })
  for await (const message of messages) {
    const event = toProjectEvent(message, options.services)
    if (event) yield event
  }
}
