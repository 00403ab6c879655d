/**
 * Turns a Docker-format seccomp profile into the OCI runtime's linux.seccomp for one container
 * (moby profiles/seccomp setupSeccomp): rules are kept or dropped by the container's capabilities
 * and the host architecture, the architecture list comes from the profile's archMap.
 */
import { EngineError, type LinuxSeccomp, type LinuxSyscall } from '../../../common/index.js'
import type { SeccompFilter, SeccompProfile, SeccompRule } from './profile-types.js'

/** Node's process.arch -> Docker's (Go's) architecture name and libseccomp's native arch. */
const ARCHES: Record<string, { goArch: string; scmp: string }> = {
  x64: { goArch: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  arm64: { goArch: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
  arm: { goArch: 'arm', scmp: 'SCMP_ARCH_ARM' },
  ia32: { goArch: '386', scmp: 'SCMP_ARCH_X86' },
  ppc64: { goArch: 'ppc64le', scmp: 'SCMP_ARCH_PPC64LE' },
  riscv64: { goArch: 'riscv64', scmp: 'SCMP_ARCH_RISCV64' },
  s390x: { goArch: 's390x', scmp: 'SCMP_ARCH_S390X' },
}

export interface SeccompContext {
  /** The container's bounding capabilities ("CAP_SYS_ADMIN"...). */
  capabilities: readonly string[]
  /** Node's process.arch of the host. */
  arch: string
  /** Host kernel release ("6.1.0-13-amd64"), for minKernel filters. */
  kernel?: string
}

function kernelAtLeast(kernel: string | undefined, min: string): boolean {
  if (!kernel) return true
  const parse = (v: string): number[] => v.split(/[.-]/).slice(0, 2).map((p) => Number.parseInt(p, 10) || 0)
  const [a = 0, b = 0] = parse(kernel)
  const [c = 0, d = 0] = parse(min)
  return a > c || (a === c && b >= d)
}

function applies(rule: SeccompRule, ctx: SeccompContext, goArch: string): boolean {
  const inc: SeccompFilter = rule.includes ?? {}
  const exc: SeccompFilter = rule.excludes ?? {}
  if (inc.caps?.length && !inc.caps.every((c) => ctx.capabilities.includes(c))) return false
  if (inc.arches?.length && !inc.arches.includes(goArch)) return false
  if (inc.minKernel && !kernelAtLeast(ctx.kernel, inc.minKernel)) return false
  if (exc.caps?.length && exc.caps.some((c) => ctx.capabilities.includes(c))) return false
  if (exc.arches?.length && exc.arches.includes(goArch)) return false
  return true
}

/** Throws InvalidArgument for a profile that is not Docker's format. */
export function seccompSpec(profile: SeccompProfile, ctx: SeccompContext): LinuxSeccomp {
  if (typeof profile !== 'object' || profile === null || typeof profile.defaultAction !== 'string') {
    throw new EngineError('InvalidArgument', 'INVALID_SECCOMP', 'Decoding seccomp profile failed: defaultAction is required')
  }
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new EngineError('InvalidArgument', 'INVALID_SECCOMP', "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'")
  }
  const arch = ARCHES[ctx.arch] ?? { goArch: ctx.arch, scmp: '' }
  let architectures = profile.architectures ?? []
  if (architectures.length === 0 && profile.archMap) {
    const entry = profile.archMap.find((a) => a.architecture === arch.scmp)
    if (entry) architectures = [entry.architecture, ...(entry.subArchitectures ?? [])]
  }
  const syscalls: LinuxSyscall[] = []
  for (const rule of profile.syscalls ?? []) {
    if (rule.name && rule.names?.length) {
      throw new EngineError('InvalidArgument', 'INVALID_SECCOMP', "use either 'name' or 'names'")
    }
    if (!applies(rule, ctx, arch.goArch)) continue
    const names = rule.names?.length ? rule.names : rule.name ? [rule.name] : []
    if (names.length === 0) continue
    const out: LinuxSyscall = { names: [...names], action: rule.action }
    if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet
    if (rule.args?.length) out.args = rule.args.map((a) => ({ ...a }))
    syscalls.push(out)
  }
  const spec: LinuxSeccomp = { defaultAction: profile.defaultAction, architectures, syscalls }
  if (profile.defaultErrnoRet !== undefined) spec.defaultErrnoRet = profile.defaultErrnoRet
  if (profile.flags?.length) spec.flags = [...profile.flags]
  if (profile.listenerPath) spec.listenerPath = profile.listenerPath
  return spec
}
