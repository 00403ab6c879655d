/**
 * The project's networks and volumes on the engine: created (labelled like Docker Compose) when
 * missing, checked when external, removed by `down`.
 */
import { isEngineError } from '../../common/index.js'
import type { EngineClient } from '../../client/index.js'
import { COMPOSE_VERSION, LABEL_NETWORK, LABEL_PROJECT, LABEL_VERSION, LABEL_VOLUME } from '../labels.js'
import { ComposeError } from '../model/index.js'
import type { ComposeProject } from '../model/index.js'
import { done, warning, working, type ProgressSink } from './progress.js'

/** Keys of the project networks the given services use (network_mode services use none). */
export function usedNetworks(project: ComposeProject, services: string[]): string[] {
  const keys = new Set<string>()
  for (const name of services) for (const key of Object.keys(project.services[name]?.networks ?? {})) keys.add(key)
  return [...keys].filter((k) => project.networks[k]).sort()
}

/** Keys of the project volumes the given services mount. */
export function usedVolumes(project: ComposeProject, services: string[]): string[] {
  const keys = new Set<string>()
  for (const name of services) {
    for (const v of project.services[name]?.volumes ?? []) if (v.type === 'volume' && v.source && project.volumes[v.source]) keys.add(v.source)
  }
  return [...keys].sort()
}

async function findNetwork(client: EngineClient, name: string): Promise<{ Id: string; Labels: Record<string, string> } | undefined> {
  const list = await client.networkList({ filters: { name: [name] } })
  const hit = list.find((n) => n.Name === name)
  return hit ? { Id: hit.Id, Labels: hit.Labels ?? {} } : undefined
}

/** Creates the missing networks among `keys`; returns key -> network id. */
export async function ensureNetworks(client: EngineClient, project: ComposeProject, keys: string[], progress: ProgressSink): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  for (const key of keys) {
    const net = project.networks[key]!
    const existing = await findNetwork(client, net.name)
    if (net.external) {
      if (!existing) throw new ComposeError(`network ${net.name} declared as external, but could not be found`)
      ids[key] = existing.Id
      continue
    }
    if (existing) {
      if (existing.Labels[LABEL_PROJECT] === undefined) {
        progress(warning(`Network ${net.name}`, `a network with name ${net.name} exists but was not created by compose.\nSet \`external: true\` to use an existing network`))
      } else if (existing.Labels[LABEL_PROJECT] !== project.name) {
        progress(warning(`Network ${net.name}`, `a network with name ${net.name} exists but was not created for project "${project.name}".\nSet \`external: true\` to use an existing network`))
      }
      ids[key] = existing.Id
      continue
    }
    const id = `Network ${net.name}`
    progress(working(id, 'Creating'))
    const ipam = net.ipam
    try {
      const created = await client.networkCreate({
        Name: net.name,
        Driver: net.driver ?? 'bridge',
        Internal: net.internal,
        Attachable: net.attachable,
        ...(net.enableIpv6 !== undefined ? { EnableIPv6: net.enableIpv6 } : {}),
        Options: net.driverOpts,
        Labels: { ...net.labels, [LABEL_NETWORK]: key, [LABEL_PROJECT]: project.name, [LABEL_VERSION]: COMPOSE_VERSION },
        ...(ipam ? {
          IPAM: {
            Driver: ipam.driver ?? 'default',
            Options: ipam.options,
            Config: ipam.config.map((c) => ({
              ...(c.subnet ? { Subnet: c.subnet } : {}), ...(c.ipRange ? { IPRange: c.ipRange } : {}),
              ...(c.gateway ? { Gateway: c.gateway } : {}),
              ...(Object.keys(c.auxAddresses).length ? { AuxiliaryAddresses: c.auxAddresses } : {}),
            })),
          },
        } : {}),
      })
      ids[key] = created.Id
    } catch (err) {
      throw new ComposeError(`failed to create network ${net.name}: ${(err as Error).message}`, {}, { cause: err })
    }
    progress(done(id, 'Created'))
  }
  return ids
}

/** Creates the missing volumes among `keys`; external ones must exist. */
export async function ensureVolumes(client: EngineClient, project: ComposeProject, keys: string[], progress: ProgressSink): Promise<void> {
  for (const key of keys) {
    const vol = project.volumes[key]!
    let exists = true
    let labels: Record<string, string> = {}
    try {
      labels = (await client.volumeInspect(vol.name)).value.Labels ?? {}
    } catch (err) {
      if (!isEngineError(err, 'NotFound')) throw err
      exists = false
    }
    if (vol.external) {
      if (!exists) throw new ComposeError(`external volume "${vol.name}" not found`)
      continue
    }
    if (exists) {
      if (labels[LABEL_PROJECT] !== undefined && labels[LABEL_PROJECT] !== project.name) {
        progress(warning(`Volume ${vol.name}`, `volume "${vol.name}" already exists but was created for project "${labels[LABEL_PROJECT]}" (expected "${project.name}"). Use \`external: true\` to use an existing volume`))
      }
      continue
    }
    const id = `Volume ${vol.name}`
    progress(working(id, 'Creating'))
    await client.volumeCreate({
      Name: vol.name,
      Driver: vol.driver ?? 'local',
      DriverOpts: vol.driverOpts,
      Labels: { ...vol.labels, [LABEL_VOLUME]: key, [LABEL_PROJECT]: project.name, [LABEL_VERSION]: COMPOSE_VERSION },
    })
    progress(done(id, 'Created'))
  }
}

/**
 * `down`: removes the project's non-external networks (those declared in the project, or, without
 * a project file, those carrying its label). A network still in use is reported, not fatal.
 */
export async function removeNetworks(client: EngineClient, projectName: string, names: string[] | undefined, progress: ProgressSink): Promise<void> {
  const list = await client.networkList({ filters: { label: [`${LABEL_PROJECT}=${projectName}`] } })
  const targets = names === undefined ? list.map((n) => n.Name) : names.filter((n) => list.some((l) => l.Name === n))
  for (const name of targets.sort()) {
    const id = `Network ${name}`
    progress(working(id, 'Removing'))
    try {
      await client.networkRemove(name)
      progress(done(id, 'Removed'))
    } catch (err) {
      if (isEngineError(err, 'NotFound')) continue
      progress({ id, status: 'Error', state: 'error', text: (err as Error).message })
    }
  }
}

/** `down -v`: removes the project's non-external named volumes. */
export async function removeVolumes(client: EngineClient, projectName: string, names: string[] | undefined, progress: ProgressSink): Promise<void> {
  const list = (await client.volumeList({ filters: { label: [`${LABEL_PROJECT}=${projectName}`] } })).Volumes ?? []
  const targets = names === undefined ? list.map((v) => v.Name) : names.filter((n) => list.some((v) => v.Name === n))
  for (const name of targets.sort()) {
    const id = `Volume ${name}`
    progress(working(id, 'Removing'))
    try {
      await client.volumeRemove(name)
      progress(done(id, 'Removed'))
    } catch (err) {
      if (isEngineError(err, 'NotFound')) continue
      progress({ id, status: 'Error', state: 'error', text: (err as Error).message })
    }
  }
}
