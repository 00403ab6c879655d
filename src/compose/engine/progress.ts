/**
 * What the compose engine reports while it works, one event per resource and step, in Docker
 * Compose's words: id "Container proj-web-1" / "Network proj_default" / "web", status
 * "Creating" → "Created", "Starting" → "Started"... The CLI draws them (cli/commands/compose).
 */
export type ProgressState = 'working' | 'done' | 'warning' | 'error'

export interface ProgressEvent {
  /** "Container proj-web-1", "Network proj_default", "Volume proj_data", or a service name (pull/build). */
  id: string
  status: string
  state: ProgressState
  /** Extra detail shown after the status (an error, a warning). */
  text?: string
}

export type ProgressSink = (event: ProgressEvent) => void

export const working = (id: string, status: string): ProgressEvent => ({ id, status, state: 'working' })
export const done = (id: string, status: string): ProgressEvent => ({ id, status, state: 'done' })
export const failed = (id: string, status: string, text?: string): ProgressEvent => ({ id, status, state: 'error', ...(text ? { text } : {}) })
export const warning = (id: string, text: string): ProgressEvent => ({ id, status: 'Warning', state: 'warning', text })
