import type { ContainerSummary, EngineClient } from '../../client/index.js'
import { LABEL_CONFIG_HASH, LABEL_CONTAINER_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from '../labels.js'

/** A listed container of project `project`, service `service`, replica `number` (for tests). */
export function fakeContainer(project: string, service: string, number: number, extra: Partial<ContainerSummary> & { labels?: Record<string, string> } = {}): ContainerSummary {
  const { labels, ...rest } = extra
  return {
    Id: `${service}${number}`.padEnd(64, '0'),
    Names: [`/${project}-${service}-${number}`],
    Image: 'busybox',
    ImageID: 'sha256:'.padEnd(71, 'b'),
    Command: 'sleep 100',
    Created: 1_700_000_000,
    Ports: [],
    Labels: {
      [LABEL_PROJECT]: project, [LABEL_SERVICE]: service, [LABEL_CONTAINER_NUMBER]: String(number),
      [LABEL_ONEOFF]: 'False', [LABEL_CONFIG_HASH]: 'h', ...labels,
    },
    State: 'running',
    Status: 'Up 2 minutes',
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
    ...rest,
  }
}

/**
 * A recording EngineClient over a fixed container list: containerList applies the label filters
 * the ops send; every other call is recorded as "method id" and answered by `handlers` (or resolves).
 */
export function fakeClient(containers: ContainerSummary[], handlers: Record<string, (...args: any[]) => unknown> = {}): { client: EngineClient; calls: string[] } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const calls: string[] = []
  const matches = (c: ContainerSummary, label: string): boolean => {
    const eq = label.indexOf('=')
    return eq < 0 ? label in c.Labels : c.Labels[label.slice(0, eq)] === label.slice(eq + 1)
  }
  const client = new Proxy({} as EngineClient, {
    get(_t, prop: string) {
      if (prop === 'then') return undefined
      return async (...args: unknown[]) => {
        if (prop === 'containerList') {
          const options = (args[0] ?? {}) as { all?: boolean; filters?: { label?: string[] } }
          return containers.filter((c) => (options.all || c.State === 'running' || c.State === 'paused') &&
            (options.filters?.label ?? []).every((l) => matches(c, l)))
        }
        calls.push(`${prop} ${typeof args[0] === 'string' ? args[0].slice(0, 12).replace(/0+$/, '') : ''}`.trim())
        const handler = handlers[prop]
        return handler ? handler(...args) : undefined
      }
    },
  })
  return { client, calls }
}
