import { invalid } from '../../common/index.js'

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

const nodeToOci: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips: 'mips',
  mipsel: 'mipsle',
}

/** The OCI architecture name of this host ("amd64" on x86-64). */
export function hostArchitecture(arch: string = process.arch): string {
  return nodeToOci[arch] ?? arch
}

/** "linux", "linux/amd64", "linux/arm64/v8"; undefined means this host. Only linux is accepted. */
export function parsePlatform(spec: string | undefined): Platform {
  if (spec === undefined || spec === '') return { os: 'linux', architecture: hostArchitecture() }
  const [os = '', architecture, variant, ...extra] = spec.toLowerCase().split('/')
  if (extra.length > 0 || os === '' || architecture === '' || variant === '') {
    throw invalid('INVALID_PLATFORM', `"${spec}": unknown operating system or architecture: invalid argument`)
  }
  if (os !== 'linux') throw invalid('INVALID_PLATFORM', `operating system is not supported: "${os}"`)
  return { os, architecture: architecture ?? hostArchitecture(), ...(variant ? { variant } : {}) }
}
