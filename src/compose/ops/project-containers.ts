import type { ContainerSummary, EngineClient, Filters } from '../../client/index.js'
import { EngineError } from '../../common/index.js'
import {
  LABEL_CONFIG_HASH, LABEL_CONTAINER_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE,
} from '../labels.js'

/** Whether `compose run` containers are listed: left out, listed too, or listed alone (Compose's oneOff). */
export type OneOff = 'exclude' | 'include' | 'only'

export interface ProjectContainerQuery {
  /** Only these services' containers (all when empty). */
  services?: string[]
  oneOff?: OneOff
  /** Stopped containers too. */
  all?: boolean
}

/**
 * Compose's getDefaultFilters: the project label, the service label when exactly one service is
 * asked for (more are filtered client-side), containers that carry a config hash (so containers
 * merely labelled with a project, not created by compose, are ignored), and the one-off label.
 */
export function projectFilters(project: string, query: ProjectContainerQuery = {}): Filters {
  const label = [`${LABEL_PROJECT}=${project.toLowerCase()}`, LABEL_CONFIG_HASH]
  const services = query.services ?? []
  if (services.length === 1) label.push(`${LABEL_SERVICE}=${services[0]}`)
  const oneOff = query.oneOff ?? 'exclude'
  if (oneOff === 'exclude') label.push(`${LABEL_ONEOFF}=False`)
  if (oneOff === 'only') label.push(`${LABEL_ONEOFF}=True`)
  return { label }
}

/** The project's containers, as the daemon lists them (newest first). */
export async function listProjectContainers(client: EngineClient, project: string, query: ProjectContainerQuery = {}): Promise<ContainerSummary[]> {
  const list = await client.containerList({ all: query.all ?? false, filters: projectFilters(project, query) })
  const services = query.services ?? []
  return services.length > 1 ? list.filter((c) => services.includes(serviceOf(c))) : list
}

export function serviceOf(c: ContainerSummary): string {
  return c.Labels?.[LABEL_SERVICE] ?? ''
}

export function containerNumberOf(c: ContainerSummary): number {
  return Number.parseInt(c.Labels?.[LABEL_CONTAINER_NUMBER] ?? '', 10) || 0
}

export function isOneOff(c: ContainerSummary): boolean {
  return c.Labels?.[LABEL_ONEOFF] === 'True'
}

/** The container's own name: the one without a slash inside (others are legacy link aliases). */
export function canonicalName(c: ContainerSummary): string {
  const names = c.Names ?? []
  if (names.length === 0) return c.Id.slice(0, 12)
  const own = names.find((n) => n.lastIndexOf('/') === 0)
  return (own ?? names[0]!).replace(/^\//, '')
}

/** "web-1" for "proj-web-1"; a custom container_name is kept whole (Compose's log prefixes). */
export function nameWithoutProject(c: ContainerSummary): string {
  const project = c.Labels?.[LABEL_PROJECT] ?? ''
  const name = canonicalName(c)
  const number = c.Labels?.[LABEL_CONTAINER_NUMBER] ?? ''
  const expected = `${project}-${serviceOf(c)}-${number}`
  return name === expected ? name.slice(project.length + 1) : name
}

/** Compose's progress id for a container: "Container proj-web-1". */
export function progressName(c: ContainerSummary): string {
  return `Container ${canonicalName(c)}`
}

export function byName(a: ContainerSummary, b: ContainerSummary): number {
  const x = canonicalName(a)
  const y = canonicalName(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * Compose's getSpecifiedContainer: the container `index` of a service (any when index is 0,
 * preferring the lowest number and service containers over one-off ones).
 */
export async function specifiedContainer(
  client: EngineClient,
  project: string,
  service: string,
  options: { index?: number; oneOff?: OneOff; all?: boolean } = {},
): Promise<ContainerSummary> {
  const filters = projectFilters(project, { services: [service], oneOff: options.oneOff ?? 'exclude' })
  const index = options.index ?? 0
  if (index > 0) filters.label!.push(`${LABEL_CONTAINER_NUMBER}=${index}`)
  const list = await client.containerList({ all: options.all ?? false, filters })
  if (list.length === 0) {
    const message = index > 0 ? `service "${service}" is not running container #${index}` : `service "${service}" is not running`
    throw new EngineError('NotFound', 'COMPOSE_NO_CONTAINER', message)
  }
  list.sort((a, b) => containerNumberOf(a) - containerNumberOf(b) || Number(isOneOff(a)) - Number(isOneOff(b)))
  return list[0]!
}
