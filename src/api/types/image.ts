/** Docker Engine API image shapes (v1.50). */

/** An item of GET /images/json. */
export interface ImageSummary {
  Id: string
  ParentId: string
  RepoTags: string[]
  RepoDigests: string[]
  /** Unix seconds. */
  Created: number
  Size: number
  SharedSize: number
  Labels: Record<string, string>
  Containers: number
}

/** The runtime config of an image as inspect reports it (Docker's ImageConfig). */
export interface ImageConfigWire {
  Hostname?: string
  Domainname?: string
  User: string
  AttachStdin?: boolean
  AttachStdout?: boolean
  AttachStderr?: boolean
  ExposedPorts?: Record<string, object> | null
  Tty?: boolean
  OpenStdin?: boolean
  StdinOnce?: boolean
  Env: string[] | null
  Cmd: string[] | null
  Healthcheck?: Record<string, unknown>
  ArgsEscaped?: boolean
  Image?: string
  Volumes: Record<string, object> | null
  WorkingDir: string
  Entrypoint: string[] | null
  OnBuild: string[] | null
  Labels: Record<string, string> | null
  StopSignal?: string
  Shell?: string[]
}

/** GET /images/{name}/json. */
export interface ImageInspectResponse {
  Id: string
  RepoTags: string[]
  RepoDigests: string[]
  Parent: string
  Comment: string
  /** RFC 3339 with nanoseconds; omitted when the image config has no `created`. */
  Created?: string
  DockerVersion: string
  Author: string
  Config: ImageConfigWire
  Architecture: string
  Variant?: string
  Os: string
  Size: number
  GraphDriver: { Name: string; Data: Record<string, string> | null }
  RootFS: { Type: string; Layers: string[] }
  Metadata: { LastTagTime?: string }
}

export interface ImageHistoryItem {
  Id: string
  Created: number
  CreatedBy: string
  Tags: string[] | null
  Size: number
  Comment: string
}

export type ImageDeleteResponseItem = { Untagged: string } | { Deleted: string }

/** One line of a JSON progress stream (pull, import, push, build). */
export interface JsonStreamMessage {
  status?: string
  id?: string
  progress?: string
  progressDetail?: { current?: number; total?: number }
  stream?: string
  aux?: unknown
  error?: string
  errorDetail?: { code?: number; message: string }
}
