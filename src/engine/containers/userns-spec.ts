/**
 * Containers of a daemon started with --userns-remap: they run in a user namespace where root is
 * the remapped host id, unless HostConfig.UsernsMode is "host". dockerd's rules for what cannot be
 * combined with the remapping (moby daemon_unix.go verifyPlatformContainerSettings) and the spec
 * changes it makes (oci_linux.go WithNamespaces/WithMounts).
 */
import { EngineError, type IdMapping, type IdMappings } from '../../common/index.js'
import type { LinuxIDMapping, Spec } from '../../common/oci-spec.js'

/** True when a container of a daemon with these mappings gets its own user namespace. */
export function usesRemappedUserns(raw: Record<string, unknown> | undefined, mappings: IdMappings | undefined): mappings is IdMappings {
  return mappings !== undefined && raw?.['UsernsMode'] !== 'host'
}

const refuse = (message: string): never => {
  throw new EngineError('InvalidArgument', 'USERNS_CONFLICT', message)
}

/** Refuses what dockerd refuses with user namespaces enabled (privileged, host network, host PID) without --userns=host. */
export function validateUserns(raw: Record<string, unknown> | undefined, privileged: boolean, networkMode: string | undefined, mappings: IdMappings | undefined): void {
  if (!usesRemappedUserns(raw, mappings)) return
  if (privileged) refuse('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode')
  if (networkMode === 'host') refuse("cannot share the host's network namespace when user namespaces are enabled")
  if (raw?.['PidMode'] === 'host') refuse('cannot share the host PID namespace when user namespaces are enabled')
}

const toOci = (m: IdMapping): LinuxIDMapping => ({ containerID: m.containerId, hostID: m.hostId, size: m.size })

/**
 * Puts the container in a new user namespace with the daemon's mappings. As dockerd, the cgroup
 * mount loses its read-only flag (a remount read-only is not allowed from inside a user namespace).
 */
export function applyUserns(spec: Spec, mappings: IdMappings): void {
  const linux = (spec.linux ??= {})
  const namespaces = (linux.namespaces ??= [])
  if (!namespaces.some((n) => n.type === 'user')) namespaces.push({ type: 'user' })
  linux.uidMappings = mappings.uids.map(toOci)
  linux.gidMappings = mappings.gids.map(toOci)
  for (const m of spec.mounts ?? []) {
    if (m.type === 'cgroup' && m.options) m.options = m.options.filter((o) => o !== 'ro')
  }
}
