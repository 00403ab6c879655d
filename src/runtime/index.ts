// The OCI runtime adapter: conmon + crun/runc. Thin: no state-machine decisions (engine/containers makes them).
export * from './oci-runtime.js'
export { ConmonRuntime, type ConmonRuntimeOptions } from './conmon-runtime.js'
export { conmonArgs } from './conmon-args.js'
export { runtimePaths, type RuntimePaths } from './conmon-args.js'
export { conmonExecArgs, execStartError } from './conmon-exec.js'
export { scratchDirFor } from './fifo-pool.js'
export { CLONED_BINARY_ENV } from './readonly-binary.js'
