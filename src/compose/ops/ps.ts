import type { ContainerSummary, EngineClient } from '../../client/index.js'
import { isEngineError } from '../../common/index.js'
import { LABEL_PROJECT } from '../labels.js'
import { canonicalName, listProjectContainers, serviceOf } from './project-containers.js'

/** A published port as Compose reports it. */
export interface PortPublisher {
  URL: string
  TargetPort: number
  PublishedPort: number
  Protocol: string
}

/** Compose's api.ContainerSummary: one row of `compose ps`. */
export interface ServiceContainer {
  ID: string
  Name: string
  Names: string[]
  Image: string
  Command: string
  Project: string
  Service: string
  Created: number
  State: string
  Status: string
  /** Health of a running container with a healthcheck ("healthy", "starting"...), else "". */
  Health: string
  /** Exit code of an exited or dead container, else 0. */
  ExitCode: number
  Publishers: PortPublisher[]
  Labels: Record<string, string>
  SizeRw?: number
  SizeRootFs?: number
  /** Volume names (or bind sources). */
  Mounts: string[]
  Networks: string[]
  LocalVolumes: number
}

export interface PsOptions {
  services?: string[]
  /** Stopped and one-off containers too. */
  all?: boolean
}

/** Compose's Ps: the project's containers with health and exit codes from inspect, in list order. */
export async function psContainers(client: EngineClient, projectName: string, options: PsOptions = {}): Promise<ServiceContainer[]> {
  const containers = await listProjectContainers(client, projectName, {
    all: options.all, oneOff: options.all ? 'include' : 'exclude', services: options.services,
  })
  const rows = await Promise.all(containers.map(async (c) => {
    let health = ''
    let exitCode = 0
    try {
      const { value } = await client.containerInspect(c.Id)
      const state = value.State as typeof value.State & { Health?: { Status?: string } }
      if (state.Status === 'running') health = state.Health?.Status ?? ''
      if (state.Status === 'exited' || state.Status === 'dead') exitCode = state.ExitCode
    } catch (err) {
      if (!isEngineError(err, 'NotFound')) throw err
      return undefined // removed since it was listed
    }
    return toServiceContainer(c, health, exitCode)
  }))
  return rows.filter((r): r is ServiceContainer => r !== undefined)
}

/** The summary of a listed container (pure part of psContainers). */
export function toServiceContainer(c: ContainerSummary, health = '', exitCode = 0): ServiceContainer {
  const ports = [...(c.Ports ?? [])].sort((a, b) => a.PrivatePort - b.PrivatePort)
  const mounts = c.Mounts ?? []
  return {
    ID: c.Id,
    Name: canonicalName(c),
    Names: c.Names ?? [],
    Image: c.Image,
    Command: c.Command,
    Project: c.Labels?.[LABEL_PROJECT] ?? '',
    Service: serviceOf(c),
    Created: c.Created,
    State: c.State,
    Status: c.Status,
    Health: health,
    ExitCode: exitCode,
    Publishers: ports.map((p) => ({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type })),
    Labels: c.Labels ?? {},
    ...(c.SizeRw !== undefined ? { SizeRw: c.SizeRw } : {}),
    ...(c.SizeRootFs !== undefined ? { SizeRootFs: c.SizeRootFs } : {}),
    Mounts: mounts.map((m) => m.Name || m.Source || ''),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}),
    LocalVolumes: mounts.filter((m) => m.Driver === 'local').length,
  }
}

/** `--status` / `--filter status=`: keeps containers whose state is one of `statuses`. */
export function filterByStatus(rows: ServiceContainer[], statuses: string[]): ServiceContainer[] {
  return rows.filter((r) => statuses.includes(r.State))
}

/** `--services`: the services of the rows, first appearance first. */
export function servicesOf(rows: ServiceContainer[]): string[] {
  const out: string[] = []
  for (const r of rows) if (!out.includes(r.Service)) out.push(r.Service)
  return out
}
