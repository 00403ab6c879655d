/**
 * Restart policies as dockerd's restartmanager applies them: the decision after an exit, the
 * back-off delay (100 ms, doubling up to 1 min, reset once a run lasted 10 s), and which stopped
 * containers the daemon starts again when it comes up (live-restore off).
 */
import type { ContainerRecord, RestartPolicy } from './types.js'

export const RESTART_INITIAL_DELAY_MS = 100
export const RESTART_MAX_DELAY_MS = 60_000
/** A run at least this long resets the back-off to the initial delay. */
export const RESTART_RESET_AFTER_MS = 10_000

export function policyName(policy: RestartPolicy | undefined): RestartPolicy['name'] {
  return policy?.name || 'no'
}

/** The next back-off delay after `previousMs` (0 = none yet) for a run that lasted `ranMs`. */
export function nextRestartDelay(previousMs: number, ranMs: number): number {
  const base = ranMs >= RESTART_RESET_AFTER_MS ? 0 : previousMs
  if (base === 0) return RESTART_INITIAL_DELAY_MS
  return Math.min(base * 2, RESTART_MAX_DELAY_MS)
}

/**
 * moby restartmanager.ShouldRestart: a manual stop never restarts; `always` and `unless-stopped`
 * restart any exit; `on-failure[:N]` restarts a non-zero exit while fewer than N restarts were made
 * (N = 0: no limit).
 */
export function shouldRestart(opts: {
  policy: RestartPolicy | undefined
  exitCode: number
  manuallyStopped: boolean
  restartCount: number
}): boolean {
  if (opts.manuallyStopped) return false
  switch (policyName(opts.policy)) {
    case 'always':
    case 'unless-stopped':
      return true
    case 'on-failure': {
      const max = opts.policy?.maximumRetryCount ?? 0
      return opts.exitCode !== 0 && (max <= 0 || opts.restartCount < max)
    }
    default:
      return false
  }
}

/**
 * Whether a container that is not running is started when the daemon starts (moby
 * daemon.restore): `always` always, `unless-stopped` unless it was stopped by hand, `on-failure`
 * when it last failed and has retries left.
 */
export function startsWithDaemon(record: Pick<ContainerRecord, 'spec' | 'state' | 'restartCount' | 'manuallyStopped'>): boolean {
  const policy = record.spec.host.restartPolicy
  switch (policyName(policy)) {
    case 'always':
      return true
    case 'unless-stopped':
      return record.manuallyStopped !== true
    case 'on-failure':
      return record.manuallyStopped !== true && shouldRestart({ policy, exitCode: record.state.exitCode, manuallyStopped: false, restartCount: record.restartCount })
    default:
      return false
  }
}

/** Docker's validation of a restart policy at create/update time (daemon/container.go). */
export function restartPolicyError(policy: RestartPolicy | undefined, autoRemove: boolean): string | undefined {
  const name = policyName(policy)
  if (autoRemove && name !== 'no') return 'can\'t create \'AutoRemove\' container with restart policy'
  if (policy && policy.maximumRetryCount < 0) return 'invalid restart policy: maximum retry count can\'t be negative'
  if (policy && policy.maximumRetryCount > 0 && name !== 'on-failure') {
    return `invalid restart policy: maximum retry count can only be used with 'on-failure'`
  }
  return undefined
}

/** Pending restarts (one timer per container) and each container's current back-off delay. */
export class RestartTimers {
  private readonly delays = new Map<string, number>()
  private readonly timers = new Map<string, NodeJS.Timeout>()

  /** Schedules `fn` after the next back-off delay for a run of `ranMs`; returns the delay. */
  schedule(id: string, ranMs: number, fn: () => void): number {
    this.cancel(id)
    const delay = nextRestartDelay(this.delays.get(id) ?? 0, ranMs)
    this.delays.set(id, delay)
    const timer = setTimeout(() => {
      this.timers.delete(id)
      fn()
    }, delay)
    this.timers.set(id, timer)
    return delay
  }

  /** Drops a pending restart; true when one was pending. */
  cancel(id: string): boolean {
    const timer = this.timers.get(id)
    if (!timer) return false
    clearTimeout(timer)
    this.timers.delete(id)
    return true
  }

  /** A manual start or removal: the back-off starts over. */
  reset(id: string): void {
    this.cancel(id)
    this.delays.delete(id)
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }
}
