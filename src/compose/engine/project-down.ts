/**
 * `compose down`: containers stopped and removed in reverse dependency order, then the project's
 * networks, and with -v its named volumes (and the containers' anonymous ones), with --rmi its
 * images. Works from the project file or, when there is none, from the project label alone.
 */
import { isEngineError } from '../../common/index.js'
import type { EngineClient } from '../../client/index.js'
import type { ComposeProject } from '../model/index.js'
import { stopAndRemove } from './converge.js'
import { dependencyOrder } from './dependency-order.js'
import { projectContainers } from './observed-state.js'
import type { ObservedContainer } from './planner.js'
import { done, failed, warning, working, type ProgressSink } from './progress.js'
import { removeNetworks, removeVolumes } from './project-resources.js'
import { serviceImageName } from './service-images.js'

export interface DownOptions {
  /** -v: named volumes declared by the project and anonymous volumes of its containers. */
  volumes?: boolean
  /** --rmi local: images without a custom tag (built `<project>-<service>`); all: every service image. */
  rmi?: 'local' | 'all'
  removeOrphans?: boolean
  timeoutSeconds?: number
  /** `down SERVICE...`: only these services' containers (networks and volumes stay). */
  services?: string[]
}

export async function projectDown(
  client: EngineClient,
  progress: ProgressSink,
  target: { name: string; project?: ComposeProject },
  options: DownOptions,
): Promise<void> {
  const { project } = target
  const all = await projectContainers(client, target.name)
  const known = (c: ObservedContainer): boolean => !project || !!project.services[c.service] || !!project.disabledServices[c.service]
  const orphans = all.filter((c) => !known(c))
  if (orphans.length > 0 && !options.removeOrphans) {
    progress(warning(target.name, `Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`))
  }
  const selected = options.services?.length ? new Set(options.services) : undefined
  const doomed = all.filter((c) => (known(c) || options.removeOrphans) && (!selected || selected.has(c.service)))
  const services = [...new Set(doomed.map((c) => c.service))]
  const ordered = project ? dependencyOrder({ ...project.disabledServices, ...project.services }, services.filter((s) => project.services[s] || project.disabledServices[s])) : []
  const order = [...services.filter((s) => !ordered.includes(s)).sort(), ...ordered].reverse()
  for (const service of order) {
    const containers = doomed.filter((c) => c.service === service)
    await Promise.all(containers.map((c) => stopAndRemove({ client, progress }, c, options.timeoutSeconds, options.volumes === true)))
  }

  if (selected) return
  const networks = project ? Object.values(project.networks).filter((n) => !n.external).map((n) => n.name) : undefined
  await removeNetworks(client, target.name, networks, progress)
  if (options.volumes) {
    const volumes = project ? Object.values(project.volumes).filter((v) => !v.external).map((v) => v.name) : undefined
    await removeVolumes(client, target.name, volumes, progress)
  }
  if (options.rmi && project) {
    const images = new Set<string>()
    for (const s of Object.values(project.services)) {
      if (options.rmi === 'all' || !s.image) images.add(serviceImageName(project, s))
    }
    for (const ref of [...images].sort()) {
      const id = `Image ${ref}`
      progress(working(id, 'Removing'))
      try {
        await client.imageRemove(ref)
        progress(done(id, 'Removed'))
      } catch (err) {
        if (isEngineError(err, 'NotFound')) continue
        progress(failed(id, 'Error', (err as Error).message))
      }
    }
  }
}
