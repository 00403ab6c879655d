// The OS boundary: child processes, mounts, cgroups, host limits. Engine code imports only types from here;
// daemon/ hands the real functions to the engine.
export * from './process.js'
export { SpawnHelper } from './spawn-helper.js'
export { PrivateDir } from './private-dir.js'
export { FdLauncher, FdLauncherUnavailable, type LaunchRequest } from './fd-launcher.js'
export * from './mount.js'
export { MountHelper, MountHelperUnavailable, MountSyscallError } from './mount-helper.js'
export * from './cgroups.js'
export * from './host-limits.js'
export * from './cgroup-stats.js'
export * from './userns-remap.js'
