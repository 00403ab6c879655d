/**
 * berth's default seccomp profile, in the profile format Docker uses (and `--security-opt
 * seccomp=<file>` accepts): every system call is refused with EPERM except the allowed ones, and
 * the calls that reach outside the container's namespaces are allowed only with the capability that
 * governs them (mount/unshare/setns need CAP_SYS_ADMIN, module loading CAP_SYS_MODULE, ...).
 * Some calls are never allowed: the kernel keyring is not namespaced, kexec and obsolete module calls
 * have no use in a container.
 */
import { SYSCALL_NAMES } from './syscall-names.js'
import type { SeccompProfile, SeccompRule } from './profile-types.js'

/** Calls allowed only when the container holds the capability. */
const CAPABILITY_GATED: ReadonlyArray<[cap: string, names: readonly string[]]> = [
  ['CAP_SYS_ADMIN', [
    'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'listmount',
    'mount', 'mount_setattr', 'move_mount', 'name_to_handle_at', 'open_tree', 'perf_event_open', 'pivot_root', 'quotactl',
    'quotactl_fd', 'setns', 'statmount', 'swapoff', 'swapon', 'syslog', 'umount', 'umount2',
    'unshare',
  ]],
  ['CAP_SYS_BOOT', ['reboot']],
  ['CAP_SYS_CHROOT', ['chroot']],
  ['CAP_SYS_MODULE', ['delete_module', 'finit_module', 'init_module']],
  ['CAP_SYS_PACCT', ['acct']],
  ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace']],
  ['CAP_SYS_RAWIO', ['ioperm', 'iopl']],
  ['CAP_SYS_TIME', ['clock_adjtime', 'clock_adjtime64', 'clock_settime', 'clock_settime64', 'settimeofday', 'stime']],
  ['CAP_SYS_TTY_CONFIG', ['vhangup']],
  ['CAP_SYS_NICE', ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node']],
  ['CAP_SYSLOG', ['syslog']],
  ['CAP_BPF', ['bpf']],
  ['CAP_PERFMON', ['perf_event_open']],
  ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
]

/** Never allowed, whatever the capabilities. */
const NEVER: readonly string[] = [
  '_sysctl', 'add_key', 'afs_syscall', 'create_module', 'get_kernel_syms', 'getpmsg', 'io_uring_enter',
  'io_uring_register', 'io_uring_setup', 'kexec_file_load', 'kexec_load', 'keyctl', 'migrate_pages', 'move_pages',
  'nfsservctl', 'putpmsg', 'query_module', 'request_key', 'security', 'sysfs', 'tuxcall', 'uselib', 'userfaultfd',
  'ustat', 'vm86', 'vm86old', 'vserver',
]

/** clone's namespace flags (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET): creating namespaces needs CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000

/** personality(2) values a program may set without widening what it can do (Linux, UNAME26, PER_LINUX32, query). */
const PERSONALITY_VALUES = [0, 8, 131072, 131080, 4294967295]

function buildDefaultProfile(): SeccompProfile {
  const gated = new Set(CAPABILITY_GATED.flatMap(([, names]) => names))
  const never = new Set(NEVER)
  const allowed = SYSCALL_NAMES.filter((n) => !gated.has(n) && !never.has(n) && n !== 'personality')
  const syscalls: SeccompRule[] = [
    { names: allowed, action: 'SCMP_ACT_ALLOW' },
    ...PERSONALITY_VALUES.map((value): SeccompRule => ({
      names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
    })),
    ...CAPABILITY_GATED.map(([cap, names]): SeccompRule => ({ names: [...names], action: 'SCMP_ACT_ALLOW', includes: { caps: [cap] } })),
    // Without CAP_SYS_ADMIN: clone only without namespace flags (s390 swaps the first two arguments).
    {
      names: ['clone'], action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ', valueTwo: 0 }],
      excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] },
    },
    {
      names: ['clone'], action: 'SCMP_ACT_ALLOW',
      args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ', valueTwo: 0 }],
      includes: { arches: ['s390', 's390x'] }, excludes: { caps: ['CAP_SYS_ADMIN'] },
    },
    // clone3 passes its flags in memory seccomp cannot see: ENOSYS makes libc fall back to clone.
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
  ]
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
      { architecture: 'SCMP_ARCH_MIPS64', subArchitectures: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'] },
      { architecture: 'SCMP_ARCH_PPC64LE', subArchitectures: ['SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC'] },
      { architecture: 'SCMP_ARCH_RISCV64', subArchitectures: [] },
      { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
    ],
    syscalls,
  }
}

export const DEFAULT_SECCOMP_PROFILE: SeccompProfile = buildDefaultProfile()
