// Docker Engine API wire types for exec and top (PascalCase, as on the wire).

export interface ExecCreateRequest {
  AttachStdin?: boolean
  AttachStdout?: boolean
  AttachStderr?: boolean
  ConsoleSize?: [number, number] | null
  DetachKeys?: string
  Tty?: boolean
  Env?: string[] | null
  Cmd?: string[] | null
  Privileged?: boolean
  User?: string
  WorkingDir?: string
}

export interface ExecStartRequest {
  Detach?: boolean
  Tty?: boolean
  ConsoleSize?: [number, number] | null
}

export interface ExecInspect {
  CanRemove: boolean
  ContainerID: string
  DetachKeys: string
  ExitCode: number | null
  ID: string
  OpenStderr: boolean
  OpenStdin: boolean
  OpenStdout: boolean
  ProcessConfig: {
    arguments: string[]
    entrypoint: string
    privileged: boolean
    tty: boolean
    user: string
  }
  Running: boolean
  Pid: number
}

export interface ContainerTopResponse {
  Titles: string[]
  Processes: string[][]
}
