// Containers: records, the state machine, OCI bundle generation, logs and attach. Imports common/,
// events/, images/ and layers/ contracts, and only types from runtime/; never api/, node:http or
// node:child_process.
export * from './types.js'
export { ContainerManager, type ContainerManagerDeps } from './container-manager.js'
export { mergeContributions, type ContainerHooks, type StartContribution } from './hooks.js'
export { ContainerStore, validateContainerName } from './container-store.js'
export {
  resolveCommand, mergeEnv, replaceOrAppendEnv, processEnv, resolveWorkingDir, resolveUser, effectiveUser,
  parsePasswd, parseGroup, DEFAULT_PATH_ENV, type ResolvedCommand, type ResolvedUser,
} from './process-spec.js'
export { ociSpec, type OciSpecOptions } from './oci-spec.js'
export { DEFAULT_CAPABILITIES, ALL_CAPABILITIES, capabilitiesFromMask, tweakCapabilities } from './capabilities.js'
export { parseSignal } from './signals.js'
export { buildHosts, buildResolvConf, buildHostname } from './etc-files.js'
export { readLogs, parseLogLine, parseTimestampNs, formatTimestampNs, type ReadLogsOptions } from './log-reader.js'
export { filterContainers } from './list-filter.js'
export { ZERO_TIME } from './record.js'
export { resolveInRootfs } from './rootfs-files.js'
export * from './exec-types.js'
export { ExecManager, type ExecManagerDeps } from './exec-manager.js'
export { execProcess } from './exec-spec.js'
export { parsePsOutput, type PsRunner, type TopResult } from './container-top.js'
export { changeLetter, type PathStat, type FileChange, type ExtractOptions } from './container-fs.js'
