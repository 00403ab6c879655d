/** One step of a compose operation on a resource, as Compose's progress writer receives it. */
export interface ProgressEvent {
  /** "Container proj-web-1". */
  id: string
  status: 'working' | 'done' | 'warning' | 'error'
  /** "Stopping", "Stopped", "Error while Killing"... */
  text: string
  /** What is being done, between the id and the status ("copy ./a to p-web-1:/tmp"). */
  detail?: string
}

/** Where operations report their progress; the CLI renders it. */
export type ProgressSink = (event: ProgressEvent) => void

export const noProgress: ProgressSink = () => {}

export const working = (id: string, text: string): ProgressEvent => ({ id, status: 'working', text })
export const done = (id: string, text: string): ProgressEvent => ({ id, status: 'done', text })
export const failed = (id: string, text: string): ProgressEvent => ({ id, status: 'error', text })

/**
 * Compose's plain progress line (`--progress plain`, and what it prints when stderr is not a
 * terminal): Go's Println(prefix, ID, Text, StatusText) with an empty prefix and text, hence the
 * leading space and the double space.
 */
export function plainProgressLine(event: ProgressEvent): string {
  return ` ${event.id} ${event.detail ?? ''} ${event.text}\n`
}
