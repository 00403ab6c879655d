/**
 * ContainerHooks: how services that attach resources to containers (volumes, networks) take part
 * in the container lifecycle without the container manager knowing them. The manager calls every
 * hook in registration order for onCreate/onStart and in reverse order for the releasing calls.
 *
 * Contracts:
 * - onCreate runs before the record is first saved; it validates and allocates what lives as long as
 *   the container (named/anonymous volumes, fixed addresses) and may set fields on the record, which
 *   is then saved. Throwing an EngineError refuses the create; hooks that already ran get
 *   onRemove({ removeVolumes: true }) so nothing is left behind.
 * - onStart runs under the container lock before config.json is written, with the rootfs mounted
 *   (unless the hook sets startsBeforeRootfs: then it runs while the rootfs is being mounted);
 *   it returns what the OCI spec must add. When a later step fails, onStop is called.
 * - onStop runs after every exit (and after a failed start): release per-run resources (veths,
 *   published ports, network namespaces). It must not throw for resources already gone.
 * - onRemove runs when the record is deleted: release what onCreate allocated.
 * - onRestore runs after a daemon restart for containers still running, to re-attach in-memory
 *   state (DNS entries, port forwarders).
 * A hook that fails in onStop/onRemove/onRestore is logged by the manager, never fatal.
 */
import type { Mount } from '../../common/oci-spec.js'
import type { ContainerRecord } from './types.js'

export interface StartContribution {
  /** User mounts (volumes, binds, tmpfs): they replace standard mounts at the same destination and are sorted parents first by the spec builder. */
  mounts?: Mount[]
  /** Join this network namespace (a path such as <exec>/netns/<id>) instead of creating one. */
  networkNamespacePath?: string
  /** Environment entries set before the container's own (legacy link variables); the spec's win. */
  env?: string[]
}

export interface ContainerHooks {
  /** Short name for logs ("volumes", "networks"). */
  readonly name: string
  /** onStart does not read the container's rootfs: it may run while the rootfs is being mounted. */
  readonly startsBeforeRootfs?: boolean
  onCreate?(record: ContainerRecord): Promise<void>
  onStart?(record: ContainerRecord): Promise<StartContribution | undefined>
  onStop?(record: ContainerRecord): Promise<void>
  onRemove?(record: ContainerRecord, opts: { removeVolumes: boolean }): Promise<void>
  onRestore?(record: ContainerRecord): Promise<void>
}

/** Merges the contributions of several hooks; two network namespaces are a programming error. */
export function mergeContributions(parts: readonly (StartContribution | undefined)[]): StartContribution {
  const out: StartContribution = {}
  for (const part of parts) {
    if (!part) continue
    if (part.mounts?.length) out.mounts = [...(out.mounts ?? []), ...part.mounts]
    if (part.env?.length) out.env = [...(out.env ?? []), ...part.env]
    if (part.networkNamespacePath) {
      if (out.networkNamespacePath) throw new Error('two hooks set the network namespace')
      out.networkNamespacePath = part.networkNamespacePath
    }
  }
  return out
}
