import { ComposeError } from './compose-error.js'
import type { ComposeProject } from './types.js'

/**
 * Cross-reference checks Compose makes after loading (wording follows Compose v2): dependencies
 * on undefined services and dependency cycles, undefined networks, volumes, secrets and configs,
 * services with neither image nor build.
 */
export function checkProject(project: ComposeProject, fileOf: (service: string) => string | undefined, warn: (m: string) => void): void {
  let file: string | undefined
  const err = (path: string, message: string): never => { throw new ComposeError(`${file ? `${file}: ` : ''}${message}`, { file, path }) }
  for (const [name, svc] of Object.entries(project.services)) {
    file = fileOf(name)
    const at = `services.${name}`
    if (svc.containerName !== undefined && svc.scale > 1) {
      err(`${at}.container_name`, `services.${name}: can't set container_name and ${name} as container name must be unique: invalid compose project`)
    }
    if (svc.image === undefined && svc.build === undefined) {
      err(at, `service "${name}" has neither an image nor a build context specified: invalid compose project`)
    }
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (project.services[dep]) continue
      if (!d.required) { warn(`service "${name}" depends on undefined service "${dep}" (ignored: required: false)`); delete svc.dependsOn[dep]; continue }
      if (project.disabledServices[dep]) err(`${at}.depends_on.${dep}`, `service "${name}" depends on service "${dep}" which is disabled by profiles: invalid compose project`)
      err(`${at}.depends_on.${dep}`, `service "${name}" depends on undefined service "${dep}": invalid compose project`)
    }
    for (const net of Object.keys(svc.networks)) {
      if (!project.networks[net]) err(`${at}.networks.${net}`, `service "${name}" refers to undefined network ${net}: invalid compose project`)
    }
    for (const vol of svc.volumes) {
      if (vol.type === 'volume' && vol.source !== undefined && !project.volumes[vol.source]) {
        err(`${at}.volumes`, `service "${name}" refers to undefined volume ${vol.source}: invalid compose project`)
      }
    }
    for (const s of svc.secrets) if (!project.secrets[s.source]) err(`${at}.secrets`, `service "${name}" refers to undefined secret ${s.source}: invalid compose project`)
    for (const c of svc.configs) if (!project.configs[c.source]) err(`${at}.configs`, `service "${name}" refers to undefined config ${c.source}: invalid compose project`)
  }
  const cycle = findCycle(project)
  if (cycle) file = fileOf(cycle[0]!)
  if (cycle) err(`services.${cycle[0]}.depends_on`, `dependency cycle detected: ${cycle.join(' -> ')}`)
}

/** A depends_on cycle as [a, b, ..., a], or null. */
export function findCycle(project: ComposeProject): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (name: string): string[] | null => {
    const s = state.get(name)
    if (s === 'done') return null
    if (s === 'visiting') return [...stack.slice(stack.indexOf(name)), name]
    state.set(name, 'visiting')
    stack.push(name)
    for (const dep of Object.keys(project.services[name]?.dependsOn ?? {})) {
      const found = visit(dep)
      if (found) return found
    }
    stack.pop()
    state.set(name, 'done')
    return null
  }
  for (const name of Object.keys(project.services).sort()) {
    const found = visit(name)
    if (found) return found
  }
  return null
}
