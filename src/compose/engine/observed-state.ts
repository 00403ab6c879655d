import type { ContainerSummary, EngineClient } from '../../client/index.js'
import { LABEL_CONFIG_HASH, LABEL_CONTAINER_NUMBER, LABEL_IMAGE, LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from '../labels.js'
import type { ObservedContainer } from './planner.js'

/** Every container of the project (running or not, one-offs included), found by the project label. */
export async function projectContainers(client: EngineClient, project: string): Promise<ObservedContainer[]> {
  const list = await client.containerList({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`] } })
  return list.map(observe)
}

export function observe(c: ContainerSummary): ObservedContainer {
  const labels = c.Labels ?? {}
  const number = Number.parseInt(labels[LABEL_CONTAINER_NUMBER] ?? '', 10)
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    service: labels[LABEL_SERVICE] ?? '',
    number,
    state: c.State,
    configHash: labels[LABEL_CONFIG_HASH],
    imageId: labels[LABEL_IMAGE],
    oneoff: labels[LABEL_ONEOFF] === 'True',
    created: c.Created,
  }
}

/** Lowest container number first (Compose's Containers.sorted()). */
export function byNumber(a: ObservedContainer, b: ObservedContainer): number {
  return (Number.isNaN(a.number) ? Infinity : a.number) - (Number.isNaN(b.number) ? Infinity : b.number)
}
