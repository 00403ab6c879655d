import type { ContainerSummary } from '../../client/index.js'
import type { ComposeProject } from '../model/index.js'
import { LABEL_DEPENDS_ON, LABEL_SERVICE } from '../labels.js'

/** Service name -> the services it depends on (only services present in the graph). */
export type ServiceGraph = Map<string, Set<string>>

/** The dependency graph of a loaded project's enabled services. */
export function graphFromProject(project: ComposeProject): ServiceGraph {
  const graph: ServiceGraph = new Map()
  for (const [name, service] of Object.entries(project.services)) {
    graph.set(name, new Set(Object.keys(service.dependsOn ?? {}).filter((d) => d in project.services)))
  }
  return graph
}

/**
 * The graph rebuilt from running resources when no compose file is at hand (Compose's
 * projectFromName): one node per service label, edges from the depends_on label
 * ("svc:condition:restart,..."; older containers may carry bare "svc").
 */
export function graphFromContainers(containers: ContainerSummary[]): ServiceGraph {
  const labels = new Map<string, string>()
  for (const c of containers) {
    const service = c.Labels?.[LABEL_SERVICE]
    if (service === undefined) continue
    if (!labels.has(service) || c.Labels[LABEL_DEPENDS_ON]) labels.set(service, c.Labels[LABEL_DEPENDS_ON] ?? '')
  }
  const graph: ServiceGraph = new Map()
  for (const [service, dependsOn] of labels) {
    const deps = dependsOn.split(',').map((entry) => entry.split(':')[0]!.trim()).filter((d) => d !== '' && labels.has(d))
    graph.set(service, new Set(deps))
  }
  return graph
}

/** The services in an order where every service comes after its dependencies (ties by name). */
export function dependencyOrder(graph: ServiceGraph): string[] {
  const order: string[] = []
  const done = new Set<string>()
  const visiting = new Set<string>()
  const visit = (name: string): void => {
    if (done.has(name) || visiting.has(name)) return // a cycle is the loader's error to report; never loop here
    visiting.add(name)
    for (const dep of [...(graph.get(name) ?? [])].sort()) visit(dep)
    visiting.delete(name)
    done.add(name)
    order.push(name)
  }
  for (const name of [...graph.keys()].sort()) visit(name)
  return order
}

/**
 * Compose's InDependencyOrder / InReverseDependencyOrder: `fn` runs for every service as soon as
 * everything it waits for has finished (dependencies first, or dependents first when reversed),
 * services without such links concurrently. The first failure is thrown after running services end.
 */
export async function visitInOrder(graph: ServiceGraph, fn: (service: string) => Promise<void>, reverse = false): Promise<void> {
  const waitsFor = new Map<string, Set<string>>()
  for (const name of graph.keys()) waitsFor.set(name, new Set())
  for (const [name, deps] of graph) {
    for (const dep of deps) {
      if (!graph.has(dep)) continue
      if (reverse) waitsFor.get(dep)!.add(name)
      else waitsFor.get(name)!.add(dep)
    }
  }
  const finished = new Map<string, Promise<void>>()
  const start = (name: string, path: Set<string>): Promise<void> => {
    let p = finished.get(name)
    if (p) return p
    const before = [...waitsFor.get(name)!].filter((d) => !path.has(d)) // ignore cycle edges
    const next = new Set(path).add(name)
    p = Promise.all(before.map((d) => start(d, next))).then(() => fn(name))
    finished.set(name, p)
    return p
  }
  const all = [...graph.keys()].sort().map((name) => start(name, new Set()))
  const results = await Promise.allSettled(all)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}
