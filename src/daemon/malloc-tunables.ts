/**
 * glibc malloc settings bin/berthd starts node with (scripts/bundle.mjs writes them into its
 * `#!/usr/bin/env -S` line; glibc reads GLIBC_TUNABLES only when a process starts):
 * - arena_max=2: without it every thread that mallocs (libuv's pool, V8's workers) gets its own
 *   arena, which keeps what it once held (after a few `logs` of a 100 MB log: 25-50 MB more RSS).
 * - trim_threshold=64 KiB: free memory at the top of the heap goes back to the system sooner
 *   (with arena_max about 2 MB less idle RSS after an image import).
 * Not mmap_threshold=32 KiB: 2 MB less again, but every 64 KiB stream chunk became an mmap/munmap
 * (`logs` of a 100 MB log took ~4 % more CPU).
 */
export const BERTHD_GLIBC_TUNABLES = 'glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=65536'

/**
 * Removes berthd's own GLIBC_TUNABLES from env (process.env at start-up), so that the processes it
 * starts (conmon, crun, iptables, ...) run with glibc's defaults. A value berthd did not set stays.
 */
export function dropOwnMallocTunables(env: NodeJS.ProcessEnv): void {
  if (env.GLIBC_TUNABLES === BERTHD_GLIBC_TUNABLES) delete env.GLIBC_TUNABLES
}
