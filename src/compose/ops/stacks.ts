import type { ContainerSummary, EngineClient } from '../../client/index.js'
import { LABEL_CONFIG_FILES, LABEL_CONFIG_HASH, LABEL_PROJECT } from '../labels.js'

/** One row of `compose ls`. */
export interface Stack {
  Name: string
  /** "running(2), exited(1)". */
  Status: string
  /** Comma-joined config files of the project's containers; "N/A" when one lacks the label. */
  ConfigFiles: string
}

/** Compose's List: every project with containers (running ones only unless `all`). */
export async function listStacks(client: EngineClient, options: { all?: boolean } = {}): Promise<Stack[]> {
  const containers = await client.containerList({ all: options.all ?? false, filters: { label: [LABEL_PROJECT, LABEL_CONFIG_HASH] } })
  return containersToStacks(containers)
}

/** Groups containers by project, sorted by project name. */
export function containersToStacks(containers: ContainerSummary[]): Stack[] {
  const byProject = new Map<string, ContainerSummary[]>()
  for (const c of containers) {
    const project = c.Labels?.[LABEL_PROJECT]
    if (project === undefined) continue
    byProject.set(project, [...(byProject.get(project) ?? []), c])
  }
  return [...byProject.keys()].sort().map((name) => {
    const list = byProject.get(name)!
    return { Name: name, Status: combinedStatus(list.map((c) => c.State)), ConfigFiles: combinedConfigFiles(list) }
  })
}

/** "exited(1), running(2)": states sorted, each with its count. */
export function combinedStatus(states: string[]): string {
  const counts = new Map<string, number>()
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1)
  return [...counts.keys()].sort().map((s) => `${s}(${counts.get(s)})`).join(', ')
}

export function combinedConfigFiles(containers: ContainerSummary[]): string {
  const files: string[] = []
  for (const c of containers) {
    const label = c.Labels?.[LABEL_CONFIG_FILES]
    if (label === undefined) return 'N/A'
    for (const f of label.split(',')) if (!files.includes(f)) files.push(f)
  }
  return files.join(',')
}

/** docker's filter match for `--filter name=`: a regular expression search, like filters.Match. */
export function matchesNameFilter(name: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true
  return patterns.some((p) => {
    try {
      return new RegExp(p).test(name)
    } catch {
      return name === p
    }
  })
}
