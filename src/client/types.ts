// Docker Engine API wire types as the client sees them: api/types/ (the shared leaf) plus the
// few shapes only a client has (pull/import/event messages as JSON.parse returns them).
import type {
  EventMessage as WireEventMessage,
  ContainerInspectResponse,
  HostConfigWire,
  ImageDeleteResponseItem,
  ImageInspectResponse,
  JsonStreamMessage,
  PortWire,
  RestartPolicyWire,
  VolumeWire,
} from '../api/types/index.js'

export type {
  ComponentVersion,
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerSummary,
  ContainerWaitResponse,
  ContainerTopResponse,
  ExecCreateRequest,
  ExecInspect,
  ImageHistoryItem,
  ImageSummary,
  SystemInfo,
  SystemVersion,
  VolumeCreateRequest,
  VolumeListResponse,
  VolumePruneResponse,
} from '../api/types/index.js'

export type Volume = VolumeWire
export type ContainerInspect = ContainerInspectResponse
export type ImageInspect = ImageInspectResponse
export type ImageDeleteItem = ImageDeleteResponseItem
export type HostConfig = HostConfigWire
export type PortSummary = PortWire
export type RestartPolicy = RestartPolicyWire

/** Filters as sent in the `filters` query parameter: key -> values. */
export type Filters = Record<string, string[]>

/** One entry of HostConfig.PortBindings. */
export interface PortBinding {
  HostIp?: string
  HostPort?: string
}

/** A JSON stream message, including the fields older daemons and `docker load` send. */
export type JsonMessage = JsonStreamMessage & { from?: string; time?: number; timeNano?: number }

/**
 * A GET /events message as decoded by the client: timeNano (an int64 on the wire) arrives as a
 * decimal string so no precision is lost.
 */
export type EventMessage = Omit<WireEventMessage, 'timeNano' | 'scope'> & { scope?: string; timeNano?: string }
