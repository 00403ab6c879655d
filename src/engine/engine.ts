import type { ContainerService } from './containers/types.js'
import type { ImageRecord, ImageService } from './images/types.js'
import type { EventBus } from './events/index.js'
import type { SystemInfo } from './system.js'
import type { BuildService } from './build/index.js'

/** Everything the API and other adapters may call. Built by daemon/createDaemon. */
export interface Engine {
  containers: ContainerService
  images: ImageService
  events: EventBus
  /** Dockerfile builds (POST /build); absent in engines built without a builder. */
  builder?: BuildService
  /** Builds an offline base image (only "busybox" so far) from the host's packages; idempotent. */
  bootstrapImage(name: string): Promise<ImageRecord>
  /** Host facts plus counts for /info, computed on call. */
  systemInfo(): Promise<SystemInfo & { containers: number; running: number; paused: number; stopped: number; images: number }>
}
