import { readFileSync } from 'node:fs'
import { ComposeError } from './compose-error.js'
import { parseEnvFile } from './env-file.js'
import { isMap, scalarString, sourceFileOf, type RawMap } from './raw.js'
import { resolveTags } from './yaml-tags.js'
import { toNetwork, toSecretOrConfig, toVolume } from './resources.js'
import { toServiceConfig } from './service-config.js'
import { checkProject } from './check-project.js'
import type { ComposeProject, ServiceConfig } from './types.js'

export interface BuildProjectInput {
  name: string
  workingDir: string
  configFiles: string[]
  /** The merged canonical raw model. */
  model: RawMap
  env: Record<string, string>
  profiles: string[]
  envFiles: string[]
  warn: (message: string) => void
}

/** The merged canonical model → ComposeProject: env files, profiles, typed sections, checks. */
export function buildProject(input: BuildProjectInput): ComposeProject {
  const { env } = input
  const model = resolveTags(input.model) as RawMap
  const file = input.configFiles[0]
  const rawServices = isMap(model.services) ? model.services : {}
  const originals = isMap(input.model.services) ? input.model.services : {}
  const all: Record<string, ServiceConfig> = {}
  const serviceFiles: Record<string, string | undefined> = {}
  for (const [name, raw] of Object.entries(rawServices)) {
    const serviceFile = sourceFileOf(originals[name]) ?? file
    serviceFiles[name] = serviceFile
    const s = resolveEnvironment(raw as RawMap, env, name, serviceFile)
    const svc = toServiceConfig(name, s, { file: serviceFile, path: `services.${name}` })
    addImplicitDependencies(svc)
    all[name] = svc
  }

  const { services, disabledServices } = applyProfiles(all, input.profiles)
  const project: ComposeProject = {
    name: input.name,
    workingDir: input.workingDir,
    configFiles: input.configFiles,
    services,
    disabledServices,
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    environment: { ...env, COMPOSE_PROJECT_NAME: input.name },
    envFiles: input.envFiles,
    profiles: input.profiles,
  }
  for (const [key, value] of Object.entries(model)) if (key.startsWith('x-')) (project.extensions ??= {})[key] = value
  const section = (key: string) => (isMap(model[key]) ? model[key] as RawMap : {})
  for (const [key, def] of Object.entries(section('networks'))) project.networks[key] = toNetwork(input.name, key, def, { file, path: `networks.${key}` })
  if (!project.networks.default && Object.values(services).some((s) => 'default' in s.networks)) {
    project.networks.default = toNetwork(input.name, 'default', {}, { file, path: 'networks.default' })
  }
  for (const [key, def] of Object.entries(section('volumes'))) project.volumes[key] = toVolume(input.name, key, def, { file, path: `volumes.${key}` })
  for (const [key, def] of Object.entries(section('secrets'))) project.secrets[key] = toSecretOrConfig(input.name, key, def, { file, path: `secrets.${key}` })
  for (const [key, def] of Object.entries(section('configs'))) project.configs[key] = toSecretOrConfig(input.name, key, def, { file, path: `configs.${key}` })
  checkProject(project, (service) => serviceFiles[service] ?? file, input.warn)
  return project
}

/**
 * env_file contents under `environment` (which wins), and bare `KEY` entries resolved from the
 * project environment (left null when unset there), as Compose does before `config` prints them.
 */
function resolveEnvironment(raw: RawMap, env: Record<string, string>, name: string, file: string | undefined): RawMap {
  const s: RawMap = { ...raw }
  const fromFiles: Record<string, string | null> = {}
  const envFiles = Array.isArray(s.env_file) ? s.env_file as RawMap[] : []
  envFiles.forEach((entry, i) => {
    const p = scalarString(entry.path)
    let text: string
    try {
      text = readFileSync(p, 'utf8')
    } catch (err) {
      if (entry.required === false || entry.required === 'false') return
      throw new ComposeError(`env file ${p} not found: stat ${p}: no such file or directory`, { file, path: `services.${name}.env_file[${i}]` }, { cause: err })
    }
    try {
      const vars = entry.format === 'raw'
        ? Object.fromEntries(text.split(/\r?\n/).filter((l) => l && !l.startsWith('#') && l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
        : parseEnvFile(text, (n) => (n in fromFiles ? fromFiles[n] ?? undefined : env[n]))
      Object.assign(fromFiles, vars)
    } catch (err) {
      throw new ComposeError(`failed to read ${p}: ${(err as Error).message}`, { file: p, path: `services.${name}.env_file[${i}]` }, { cause: err })
    }
  })
  delete s.env_file
  const environment: Record<string, string | null> = { ...fromFiles, ...(s.environment as Record<string, string | null> | undefined) }
  for (const [key, value] of Object.entries(environment)) if (value === null && env[key] !== undefined) environment[key] = env[key]!
  if (Object.keys(environment).length > 0 || s.environment !== undefined) s.environment = environment
  if (isMap(s.build) && isMap(s.build.args)) {
    const args: Record<string, string | null> = { ...(s.build.args as Record<string, string | null>) }
    for (const [key, value] of Object.entries(args)) if (value === null && env[key] !== undefined) args[key] = env[key]!
    s.build = { ...s.build, args }
  }
  if (Array.isArray(s.label_file)) {
    const labels: Record<string, string> = {}
    for (const p of s.label_file as string[]) {
      try {
        Object.assign(labels, parseEnvFile(readFileSync(p, 'utf8')))
      } catch (err) {
        throw new ComposeError(`failed to read label file ${p}: ${(err as Error).message}`, { file, path: `services.${name}.label_file` }, { cause: err })
      }
    }
    s.labels = { ...labels, ...(s.labels as Record<string, string> | undefined) }
    delete s.label_file
  }
  return s
}

/** links, `network_mode: service:x` and `volumes_from: x` imply a dependency, as in Compose v2. */
function addImplicitDependencies(svc: ServiceConfig): void {
  const add = (target: string) => { svc.dependsOn[target] ??= { condition: 'service_started', required: true, restart: false } }
  for (const link of svc.links) add(link.split(':')[0]!)
  if (svc.networkMode?.startsWith('service:')) add(svc.networkMode.slice('service:'.length))
  for (const from of svc.volumesFrom) if (!from.startsWith('container:')) add(from.split(':')[0]!)
}

/**
 * Services without profiles, or with an active one ("*" enables all), are enabled; the rest are
 * disabled. As in Compose, a dependency on a disabled service is then an error (checkProject)
 * unless the service is explicitly targeted (withServicesEnabled).
 */
export function applyProfiles(all: Record<string, ServiceConfig>, profiles: string[]): { services: Record<string, ServiceConfig>; disabledServices: Record<string, ServiceConfig> } {
  const services: Record<string, ServiceConfig> = {}
  const disabledServices: Record<string, ServiceConfig> = {}
  for (const [name, svc] of Object.entries(all)) {
    const enabled = svc.profiles.length === 0 || profiles.includes('*') || svc.profiles.some((p) => profiles.includes(p))
    ;(enabled ? services : disabledServices)[name] = svc
  }
  return { services, disabledServices }
}

/**
 * The project with the named services enabled even if their profiles are not active, as
 * `compose up <service>` / `compose run <service>` do: the targeted services' profiles join the
 * active ones (so dependencies in those profiles come along); a dependency left disabled is an
 * error, as in Compose. Throws ComposeError for a name that is not a service of the project.
 */
export function withServicesEnabled(project: ComposeProject, names: string[]): ComposeProject {
  const all = { ...project.services, ...project.disabledServices }
  for (const name of names) if (!all[name]) throw new ComposeError(`no such service: ${name}`, { path: `services.${name}` })
  const profiles = [...new Set([...(project.profiles ?? []), ...names.flatMap((n) => (project.services[n] ? [] : all[n]!.profiles))])]
  const { services, disabledServices } = applyProfiles(all, profiles)
  for (const [name, svc] of Object.entries(services)) {
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (!services[dep] && d.required && disabledServices[dep]) {
        throw new ComposeError(`service "${name}" depends on service "${dep}" which is disabled by profiles: invalid compose project`, { path: `services.${name}.depends_on.${dep}` })
      }
    }
  }
  return { ...project, services, disabledServices, profiles }
}
