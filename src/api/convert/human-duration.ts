import type { ContainerState } from '../../engine/containers/index.js'
import { humanDuration } from '../../common/index.js'

export { humanDuration }

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
    // moby State.String: the health of a running container follows its uptime.
    const health = state.health?.status
    const suffix = health === 'starting' ? ' (health: starting)' : health ? ` (${health})` : ''
    return `Up ${since(state.startedAt)}${suffix}`
  }
  if (state.status === 'removing') return 'Removal In Progress'
  if (state.dead || state.status === 'dead') return 'Dead'
  if (isZeroTime(state.startedAt)) return 'Created'
  if (isZeroTime(state.finishedAt)) return ''
  return `Exited (${state.exitCode}) ${since(state.finishedAt)} ago`
}

export { zeroTime }
