/** Test fixtures for container records. */
import { join } from 'node:path'
import { newContainerRecord } from '../record.js'
import type { ContainerRecord } from '../types.js'

/** A 'created' record for `sh -c "echo hi"` from a busybox-like image; fields can be overridden. */
export function sampleRecord(overrides: Partial<ContainerRecord> = {}, dir = '/var/lib/berth-test/containers/c1'): ContainerRecord {
  const id = overrides.id ?? 'c1'.padEnd(64, '0')
  const record = newContainerRecord({
    id,
    name: 'sample',
    created: '2024-01-01T00:00:00.000Z',
    spec: { image: 'busybox', host: {} },
    image: {
      id: `sha256:${'a'.repeat(64)}`, repoTags: ['docker.io/library/busybox:latest'], repoDigests: [],
      config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} },
      topChainId: undefined, size: 0, loadedAt: '2024-01-01T00:00:00.000Z',
    },
    command: { entrypoint: undefined, cmd: ['/bin/sh', '-c', 'echo hi'], path: '/bin/sh', args: ['-c', 'echo hi'] },
    dir: join(dir),
    runtime: 'crun',
  })
  return { ...record, ...overrides }
}
