import { ComposeError } from '../model/index.js'
import type { ComposeProject, ServiceConfig } from '../model/index.js'

/**
 * The services a service needs started first: depends_on, links, `network_mode: service:x`,
 * `volumes_from: x` / `service:x`, `ipc`/`pid: service:x` (Compose's ServiceConfig.GetDependencies).
 */
export function serviceDependencies(service: ServiceConfig): string[] {
  const deps = new Set<string>(Object.keys(service.dependsOn))
  for (const link of service.links) deps.add(link.split(':')[0]!)
  for (const mode of [service.networkMode, service.ipc, service.pid]) {
    if (mode?.startsWith('service:')) deps.add(mode.slice('service:'.length))
  }
  for (const from of service.volumesFrom) {
    const [first, second] = from.split(':')
    if (first === 'container') continue
    deps.add(first === 'service' && second ? second : first!)
  }
  deps.delete(service.name)
  return [...deps]
}

/**
 * Service names with every service after the ones it depends on (ties in name order, so the
 * order is stable). Only names in `services` count: dependencies outside it (disabled by a
 * profile, or left out with --no-deps) are skipped. A cycle is the loader's error to report;
 * one reaching here still fails with a ComposeError rather than looping.
 */
export function dependencyOrder(services: Record<string, ServiceConfig>, only?: Iterable<string>): string[] {
  const names = new Set(only ?? Object.keys(services))
  const order: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name)
    if (s === 'done') return
    if (s === 'visiting') throw new ComposeError(`dependency cycle detected: ${[...path, name].join(' -> ')}`)
    state.set(name, 'visiting')
    const service = services[name]
    if (service) for (const dep of serviceDependencies(service).sort()) if (names.has(dep)) visit(dep, [...path, name])
    state.set(name, 'done')
    order.push(name)
  }
  for (const name of [...names].sort()) if (services[name]) visit(name, [])
  return order
}

/** `names` plus everything they depend on, transitively (unknown names: ComposeError, Compose's wording). */
export function withDependencies(project: ComposeProject, names: string[]): string[] {
  const out = new Set<string>()
  const add = (name: string): void => {
    if (out.has(name)) return
    const service = project.services[name]
    if (!service) {
      checkServiceNames(project, [name])
    }
    out.add(name)
    for (const dep of serviceDependencies(service)) if (project.services[dep]) add(dep)
  }
  for (const name of names) add(name)
  return [...out]
}

/** Checks that every named service exists (Compose: "no such service: x"). */
export function checkServiceNames(project: ComposeProject, names: string[]): void {
  for (const name of names) {
    if (!project.services[name]) {
      if (project.disabledServices[name]) throw new ComposeError(`service ${name} is not enabled by the active profiles`)
      throw new ComposeError(`no such service: ${name}`)
    }
  }
}
