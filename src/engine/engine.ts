import type { ContainerService } from './containers/types.js'
import type { ExecService } from './containers/exec-types.js'
import type { ImageRecord, ImageService } from './images/types.js'
import type { ImageDistributionService } from './images/distribution.js'
import type { ImageArchiveService } from './images/archive.js'
import type { EventBus } from './events/index.js'
import type { VolumeService } from './volumes/types.js'
import type { ContainerCommit } from './commit/index.js'
import type { NetworkService } from './networks/types.js'
import type { SystemInfo } from './system.js'
import type { BuildService } from './build/index.js'

/** Everything the API and other adapters may call. Built by daemon/createDaemon. */
export interface Engine {
  containers: ContainerService
  /** exec and top; absent in engines without a runtime that can exec. */
  execs?: ExecService
  images: ImageService
  volumes: VolumeService
  events: EventBus
  /** Absent in engines built without networking (API tests). */
  networks?: NetworkService
  /** Pull, push, login, search (absent: the API answers 501). */
  distribution?: ImageDistributionService
  /** save/load of Docker and OCI archives, image prune (absent: the API answers 501). */
  archives?: ImageArchiveService
  /** Dockerfile builds (POST /build); absent in engines built without a builder. */
  builder?: BuildService
  /** docker commit (POST /commit); absent in engines built without it. */
  commit?: Pick<ContainerCommit, 'commit'>
  /** Builds an offline base image (only "busybox" so far) from the host's packages; idempotent. */
  bootstrapImage(name: string): Promise<ImageRecord>
  /** Host facts plus counts for /info, computed on call. */
  systemInfo(): Promise<SystemInfo & { containers: number; running: number; paused: number; stopped: number; images: number }>
}
