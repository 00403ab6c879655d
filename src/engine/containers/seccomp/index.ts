// Seccomp: berth's default profile (Docker's format) and its translation to the OCI spec. Pure.
export { DEFAULT_SECCOMP_PROFILE } from './default-profile.js'
export { seccompSpec, type SeccompContext } from './seccomp-spec.js'
export type { SeccompProfile, SeccompRule, SeccompFilter } from './profile-types.js'
