import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Spec } from '../common/index.js'

/** crun reads a precompiled filter (base64 BPF) from this annotation instead of compiling the profile. */
export const SECCOMP_BPF_ANNOTATION = 'run.oci.seccomp_bpf_data'
/** Changes how crun compiles the profile, so it is part of the cache key. */
const FAIL_UNKNOWN_ANNOTATION = 'run.oci.seccomp_fail_unknown_syscall'
const MAX_ENTRIES = 32

/**
 * Compiled seccomp filters, so that crun compiles a profile once per daemon instead of at every
 * container create (libseccomp takes ~15-20 ms for Docker's default profile, most of `crun create`).
 * crun 1.8 writes the filter it compiled to `<state>/<id>/seccomp.bpf`; that file is kept here,
 * keyed by the profile, and handed to the next create of the same profile through crun's
 * run.oci.seccomp_bpf_data annotation. The filter is exactly what crun itself produced for that
 * profile on this kernel, so the container runs under the same filter either way.
 */
export class SeccompCache {
  private readonly filters = new Map<string, string>()
  /** Container id -> key of the profile whose compiled filter should be kept after its create. */
  private readonly capture = new Map<string, string>()

  constructor(private readonly stateDir: string) {}

  /** Annotations to add to the container's spec: the cached filter, or none (and the create is captured). */
  annotationsFor(containerId: string, spec: Spec): Record<string, string> | undefined {
    const seccomp = spec.linux?.seccomp
    if (!seccomp || spec.annotations?.[SECCOMP_BPF_ANNOTATION] !== undefined) return undefined
    const key = createHash('sha256').update(JSON.stringify([seccomp, spec.annotations?.[FAIL_UNKNOWN_ANNOTATION] ?? null])).digest('hex')
    const bpf = this.filters.get(key)
    if (bpf !== undefined) return { [SECCOMP_BPF_ANNOTATION]: bpf }
    this.capture.set(containerId, key)
    return undefined
  }

  /**
   * After a successful create: keeps the filter the runtime compiled for this container, if asked to.
   * Synchronous: a container run in the foreground takes its state (and the file) with it when it exits,
   * which a short process does within a millisecond or two. Never throws.
   */
  created(containerId: string): void {
    const key = this.capture.get(containerId)
    if (key === undefined) return
    this.capture.delete(containerId)
    try {
      const bpf = readFileSync(join(this.stateDir, containerId, 'seccomp.bpf'))
      if (bpf.length === 0 || bpf.length % 8 !== 0) return // not a sock_filter array
      if (this.filters.size >= MAX_ENTRIES) this.filters.delete(this.filters.keys().next().value as string)
      this.filters.set(key, bpf.toString('base64'))
    } catch {
      // The runtime keeps no such file (runc, another crun version): nothing to cache.
    }
  }

  /** The create failed: nothing to capture. */
  forget(containerId: string): void {
    this.capture.delete(containerId)
  }
}
