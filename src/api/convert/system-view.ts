import { isoTime } from '../../common/index.js'
import type { Engine } from '../../engine/engine.js'
import type { SystemInfo, SystemVersion } from '../types/index.js'
import type { VersionInfo } from '../context.js'
import { maxApiVersion, minApiVersion } from '../version.js'

export type EngineSystemInfo = Awaited<ReturnType<Engine['systemInfo']>>

const noCommit = { ID: '', Expected: '' }

const goArchs: Record<string, string> = {
  x86_64: 'amd64', x64: 'amd64', aarch64: 'arm64', arm64: 'arm64', i686: '386', ia32: '386', armv7l: 'arm',
  arm: 'arm', ppc64le: 'ppc64le', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64',
}

/** /version reports Go's GOARCH ("amd64") where /info reports `uname -m` ("x86_64"). */
function goArch(arch: string): string {
  return goArchs[arch] ?? arch
}

/** GET /info. Capability flags berth does not probe are reported as Docker reports them on a cgroup host. */
export function systemInfoView(info: EngineSystemInfo, versionInfo: VersionInfo, now: Date): SystemInfo {
  return {
    ID: info.id,
    Containers: info.containers,
    ContainersRunning: info.running,
    ContainersPaused: info.paused,
    ContainersStopped: info.stopped,
    Images: info.images,
    Driver: info.storageDriver,
    DriverStatus: [],
    DockerRootDir: info.dataRoot,
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'null'],
      Authorization: null,
      Log: [info.loggingDriver],
    },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    OomKillDisable: false,
    IPv4Forwarding: true,
    Debug: info.debug ?? false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: isoTime(now),
    LoggingDriver: info.loggingDriver,
    CgroupDriver: info.cgroupDriver,
    CgroupVersion: info.cgroupVersion,
    NEventsListener: 0,
    KernelVersion: info.kernelVersion,
    OperatingSystem: info.operatingSystem,
    OSVersion: '',
    OSType: info.osType,
    Architecture: info.architecture,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      ...registryConfig(info.insecureRegistries ?? []),
      Mirrors: null,
    },
    NCPU: info.ncpu,
    MemTotal: info.memTotal,
    GenericResources: null,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: info.name,
    Labels: info.labels ?? [],
    ExperimentalBuild: false,
    ServerVersion: info.version || versionInfo.version,
    Runtimes: Object.fromEntries(info.runtimes.map((r) => [r, { path: info.runtimePaths?.[r] ?? r }])),
    DefaultRuntime: info.defaultRuntime,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: info.initBinary ?? '',
    ContainerdCommit: info.monitorVersion ? { ID: info.monitorVersion, Expected: '' } : noCommit,
    RuncCommit: info.runtimeVersion ? { ID: info.runtimeVersion, Expected: '' } : noCommit,
    InitCommit: noCommit,
    SecurityOptions: info.securityOptions ?? [],
    CDISpecDirs: [],
    Warnings: info.warnings,
  }
}

const CIDR = /^[0-9a-fA-F:.]+\/\d{1,3}$/

/** dockerd's RegistryConfig: insecure CIDRs (loopback always) and one insecure index per host entry. */
function registryConfig(insecure: readonly string[]): Pick<SystemInfo['RegistryConfig'], 'InsecureRegistryCIDRs' | 'IndexConfigs'> {
  const cidrs = ['::1/128', '127.0.0.0/8', ...insecure.filter((e) => CIDR.test(e))]
  const indexes: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }> = {
    'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true },
  }
  for (const host of insecure.filter((e) => !CIDR.test(e))) indexes[host] = { Name: host, Mirrors: [], Secure: false, Official: false }
  return { InsecureRegistryCIDRs: [...new Set(cidrs)], IndexConfigs: indexes }
}

/** GET /version. */
export function systemVersionView(info: EngineSystemInfo, versionInfo: VersionInfo): SystemVersion {
  const version = info.version || versionInfo.version
  const gitCommit = info.gitCommit || versionInfo.gitCommit || ''
  const buildTime = versionInfo.buildTime ?? ''
  const arch = goArch(info.architecture)
  return {
    Platform: { Name: 'berth' },
    Components: [{
      Name: 'Engine',
      Version: version,
      Details: {
        ApiVersion: maxApiVersion, Arch: arch, BuildTime: buildTime, Experimental: 'false', GitCommit: gitCommit,
        GoVersion: `node${process.versions.node}`, KernelVersion: info.kernelVersion, MinAPIVersion: minApiVersion, Os: info.osType,
      },
    }],
    Version: version,
    ApiVersion: maxApiVersion,
    MinAPIVersion: minApiVersion,
    GitCommit: gitCommit,
    GoVersion: `node${process.versions.node}`,
    Os: info.osType,
    Arch: arch,
    KernelVersion: info.kernelVersion,
    BuildTime: buildTime,
  }
}
