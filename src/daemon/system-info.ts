import { readFileSync } from 'node:fs'
import { cpus, totalmem, hostname, release, arch } from 'node:os'
import type { SystemInfo } from '../engine/system.js'

export const BERTH_VERSION = '0.1.0'
export const API_VERSION = '1.50'
export const MIN_API_VERSION = '1.24'

function prettyOs(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))
    return m?.[1] ?? 'Linux'
  } catch {
    return 'Linux'
  }
}

/** Host facts gathered once at daemon start (they do not change while it runs). */
export function hostSystemInfo(opts: {
  id: string
  dataRoot: string
  execRoot: string
  runtime: string
  cgroupVersion: string
  warnings: string[]
  runtimeVersion?: string
  monitorVersion?: string
  initBinary?: string
  securityOptions?: string[]
  runtimePaths?: Record<string, string>
}): SystemInfo {
  return {
    id: opts.id,
    name: hostname(),
    version: BERTH_VERSION,
    apiVersion: API_VERSION,
    minApiVersion: MIN_API_VERSION,
    gitCommit: process.env.BERTH_GIT_COMMIT ?? 'unknown',
    kernelVersion: release(),
    operatingSystem: prettyOs(),
    osType: 'linux',
    architecture: arch() === 'x64' ? 'x86_64' : arch(),
    ncpu: cpus().length,
    memTotal: totalmem(),
    dataRoot: opts.dataRoot,
    execRoot: opts.execRoot,
    defaultRuntime: opts.runtime,
    runtimes: ['crun', 'runc'],
    cgroupDriver: 'cgroupfs',
    cgroupVersion: opts.cgroupVersion,
    storageDriver: 'overlayfs',
    loggingDriver: 'json-file',
    warnings: opts.warnings,
    runtimeVersion: opts.runtimeVersion,
    monitorVersion: opts.monitorVersion,
    initBinary: opts.initBinary,
    securityOptions: opts.securityOptions ?? [],
    runtimePaths: opts.runtimePaths,
  }
}

/** True when the kernel has seccomp filtering (dockerd: /proc/self/status lists Seccomp). */
export function kernelHasSeccomp(status = readStatus()): boolean {
  return /^Seccomp:/m.test(status)
}

function readStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8')
  } catch {
    return ''
  }
}

/**
 * /info SecurityOptions as dockerd's fillSecurityOptions lists them: seccomp with the builtin
 * profile when the kernel has it, userns when containers' root is remapped, cgroupns when
 * containers get a private cgroup namespace by default (dockerd: on cgroup v2), no-new-privileges
 * when it is the daemon's default.
 */
export function securityOptions(opts: { seccomp: boolean; userns: boolean; cgroupns: boolean; noNewPrivileges?: boolean }): string[] {
  const out: string[] = []
  if (opts.seccomp) out.push('name=seccomp,profile=builtin')
  if (opts.userns) out.push('name=userns')
  if (opts.cgroupns) out.push('name=cgroupns')
  if (opts.noNewPrivileges) out.push('name=no-new-privileges')
  return out
}
