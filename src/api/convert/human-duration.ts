import type { ContainerState } from '../../engine/containers/index.js'

/** go-units HumanDuration: "Less than a second", "3 seconds", "About a minute", "2 hours", "3 weeks"... */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000)
  if (seconds < 1) return 'Less than a second'
  if (seconds === 1) return '1 second'
  if (seconds < 60) return `${seconds} seconds`
  const minutes = Math.trunc(ms / 60_000)
  if (minutes === 1) return 'About a minute'
  if (minutes < 60) return `${minutes} minutes`
  const hours = Math.trunc(ms / 3_600_000 + 0.5)
  if (hours === 1) return 'About an hour'
  if (hours < 48) return `${hours} hours`
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`
}

const zeroTime = '0001-01-01T00:00:00Z'

function isZeroTime(t: string): boolean {
  return t === '' || t.startsWith('0001-01-01')
}

/** moby's State.String(): the Status column of `docker ps`. */
export function containerStatusText(state: ContainerState, now: Date): string {
  const since = (t: string): string => humanDuration(Math.max(0, now.getTime() - Date.parse(t)))
  if (state.running || state.status === 'running' || state.status === 'paused' || state.status === 'restarting') {
    if (state.paused || state.status === 'paused') return `Up ${since(state.startedAt)} (Paused)`
    if (state.restarting || state.status === 'restarting') return `Restarting (${state.exitCode}) ${since(state.finishedAt)} ago`
    return `Up ${since(state.startedAt)}`
  }
  if (state.status === 'removing') return 'Removal In Progress'
  if (state.dead || state.status === 'dead') return 'Dead'
  if (isZeroTime(state.startedAt)) return 'Created'
  if (isZeroTime(state.finishedAt)) return ''
  return `Exited (${state.exitCode}) ${since(state.finishedAt)} ago`
}

export { zeroTime }
