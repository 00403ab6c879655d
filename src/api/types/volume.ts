/** Docker Engine API volume shapes (v1.50). */

export interface VolumeWire {
  Name: string
  Driver: string
  Mountpoint: string
  CreatedAt?: string
  Status?: Record<string, unknown>
  Labels: Record<string, string> | null
  Scope: string
  Options: Record<string, string> | null
  /** Only in GET /system/df. */
  UsageData?: { Size: number; RefCount: number } | null
}

/** Body of POST /volumes/create. */
export interface VolumeCreateRequest {
  Name?: string
  Driver?: string
  DriverOpts?: Record<string, string> | null
  Labels?: Record<string, string> | null
}

export interface VolumeListResponse {
  Volumes: VolumeWire[]
  Warnings: string[] | null
}

export interface VolumePruneResponse {
  VolumesDeleted: string[] | null
  SpaceReclaimed: number
}
