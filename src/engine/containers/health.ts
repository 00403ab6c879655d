/**
 * HEALTHCHECK at run time (moby daemon/health.go): the effective check (container over image),
 * its validation, the state machine of State.Health, and HealthMonitor, which runs a probe inside
 * each running container every interval and reports status changes.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, type Process, isoTime } from '../../common/index.js'
import type { OciRuntime } from '../../runtime/oci-runtime.js'
import type { ContainerStore } from './container-store.js'
import type { KeyedLock } from './sync.js'
import type { ContainerRecord, HealthcheckConfig, HealthState } from './types.js'

export const DEFAULT_INTERVAL_NS = 30e9
export const DEFAULT_TIMEOUT_NS = 30e9
export const DEFAULT_START_INTERVAL_NS = 5e9
export const DEFAULT_RETRIES = 3
/** Entries kept in State.Health.Log. */
export const HEALTH_LOG_LENGTH = 5

export interface EffectiveHealthcheck {
  test: string[]
  intervalMs: number
  timeoutMs: number
  startPeriodMs: number
  startIntervalMs: number
  retries: number
}

/** Docker's merge: the container's non-zero fields over the image's; none when Test is empty or NONE. */
export function effectiveHealthcheck(container: HealthcheckConfig | undefined, image: HealthcheckConfig | undefined): EffectiveHealthcheck | undefined {
  const test = container?.test?.length ? container.test : image?.test
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined
  const pick = (key: keyof Omit<HealthcheckConfig, 'test'>, fallback: number): number => container?.[key] || image?.[key] || fallback
  return {
    test,
    intervalMs: pick('interval', DEFAULT_INTERVAL_NS) / 1e6,
    timeoutMs: pick('timeout', DEFAULT_TIMEOUT_NS) / 1e6,
    startPeriodMs: pick('startPeriod', 0) / 1e6,
    startIntervalMs: pick('startInterval', DEFAULT_START_INTERVAL_NS) / 1e6,
    retries: pick('retries', DEFAULT_RETRIES),
  }
}

/** The image config's Healthcheck (Docker's PascalCase) in our shape. */
export function imageHealthcheck(h: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number } | undefined): HealthcheckConfig | undefined {
  if (!h) return undefined
  return { test: h.Test, interval: h.Interval, timeout: h.Timeout, startPeriod: h.StartPeriod, startInterval: h.StartInterval, retries: h.Retries }
}

/** The argv of a check: CMD runs as given, CMD-SHELL through /bin/sh -c. */
export function probeArgs(test: readonly string[]): string[] {
  const [kind, ...rest] = test
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')]
  if (kind === 'CMD') return rest
  throw new EngineError('InvalidArgument', 'INVALID_HEALTHCHECK', `unknown health check type "${kind ?? ''}"`)
}

/** moby validateHealthCheck. */
export function validateHealthcheck(h: HealthcheckConfig | undefined): void {
  if (!h) return
  const min = 1e6
  const check = (value: number | undefined, name: string): void => {
    if (value !== undefined && value !== 0 && value < min) {
      throw new EngineError('InvalidArgument', 'INVALID_HEALTHCHECK', `${name} in Healthcheck cannot be less than 1ms`)
    }
  }
  check(h.interval, 'Interval')
  check(h.timeout, 'Timeout')
  check(h.startPeriod, 'StartPeriod')
  check(h.startInterval, 'StartInterval')
  if (h.retries !== undefined && h.retries < 0) throw new EngineError('InvalidArgument', 'INVALID_HEALTHCHECK', 'Retries in Healthcheck cannot be negative')
  if (h.test?.length && !['NONE', 'CMD', 'CMD-SHELL'].includes(h.test[0]!)) {
    throw new EngineError('InvalidArgument', 'INVALID_HEALTHCHECK', `unknown health check type "${h.test[0]}"`)
  }
}

export interface ProbeOutcome {
  start: Date
  end: Date
  exitCode: number
  output: string
}

/**
 * The health after a probe: success makes it healthy; failures count only once the start period is
 * over (or the container was already healthy), and `retries` consecutive ones make it unhealthy.
 */
export function nextHealth(current: HealthState, outcome: ProbeOutcome, check: EffectiveHealthcheck, inStartPeriod: boolean): HealthState {
  const log = [...current.log, { start: isoTime(outcome.start), end: isoTime(outcome.end), exitCode: outcome.exitCode, output: outcome.output }].slice(-HEALTH_LOG_LENGTH)
  if (outcome.exitCode === 0) return { status: 'healthy', failingStreak: 0, log }
  if (inStartPeriod && current.status !== 'healthy') return { ...current, log }
  const failingStreak = current.failingStreak + 1
  const status = failingStreak >= check.retries ? 'unhealthy' : current.status
  return { status, failingStreak, log }
}

export interface HealthMonitorDeps {
  /** Runs the check in the container; resolves with the outcome (exit -1 on timeout). */
  probe(record: ContainerRecord, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>
  /** Applies the new health to the live record (under the container lock) and saves it; false when it stopped running. */
  update(containerId: string, apply: (record: ContainerRecord) => HealthState | undefined): Promise<HealthState | undefined>
  /** Publishes `health_status: <status>`. */
  publish(record: ContainerRecord, status: string): void
  clock: () => Date
}

/** One timer loop per running container with a health check. */
export class HealthMonitor {
  private readonly loops = new Map<string, { timer?: NodeJS.Timeout; stopped: boolean }>()

  constructor(private readonly deps: HealthMonitorDeps) {}

  /** Starts checking `record` (just started or restored); its state starts as "starting" when new. */
  start(record: ContainerRecord, check: EffectiveHealthcheck, startedAt: Date): void {
    this.stop(record.id)
    const loop: { timer?: NodeJS.Timeout; stopped: boolean } = { stopped: false }
    this.loops.set(record.id, loop)
    const inStartPeriod = (): boolean => this.deps.clock().getTime() - startedAt.getTime() < check.startPeriodMs
    const schedule = (): void => {
      if (loop.stopped) return
      const delay = inStartPeriod() ? Math.min(check.startIntervalMs, check.intervalMs) : check.intervalMs
      loop.timer = setTimeout(() => void once(), delay)
    }
    const once = async (): Promise<void> => {
      if (loop.stopped) return
      if (record.state.paused) return schedule()
      const start = this.deps.clock()
      let result: { exitCode: number; output: string; timedOut: boolean }
      try {
        result = await this.deps.probe(record, probeArgs(check.test), check.timeoutMs)
      } catch (err) {
        result = { exitCode: -1, output: err instanceof Error ? err.message : String(err), timedOut: false }
      }
      if (loop.stopped) return
      const outcome: ProbeOutcome = {
        start, end: this.deps.clock(), exitCode: result.timedOut ? -1 : result.exitCode,
        output: result.timedOut ? `Health check exceeded timeout (${formatDuration(check.timeoutMs)})` : result.output,
      }
      let previous: string | undefined
      const next = await this.deps.update(record.id, (live) => {
        if (!live.state.running || loop.stopped) return undefined
        previous = live.state.health?.status
        return nextHealth(live.state.health ?? { status: 'starting', failingStreak: 0, log: [] }, outcome, check, inStartPeriod())
      }).catch(() => undefined)
      if (next && next.status !== previous) this.deps.publish(record, next.status)
      schedule()
    }
    schedule()
  }

  stop(containerId: string): void {
    const loop = this.loops.get(containerId)
    if (!loop) return
    loop.stopped = true
    clearTimeout(loop.timer)
    this.loops.delete(containerId)
  }

  close(): void {
    for (const id of [...this.loops.keys()]) this.stop(id)
  }
}

/** Go's time.Duration String for whole milliseconds ("30s", "1m30s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`
}

/**
 * The HealthMonitor of a ContainerManager: probes run through the runtime as the container's own
 * process does (same user, environment, capabilities, from its config.json), and results are
 * saved on the live record under the container lock.
 */
export function containerHealthMonitor(deps: {
  runtime: OciRuntime
  lock: KeyedLock
  store: ContainerStore
  clock: () => Date
  publish: (record: ContainerRecord, action: string) => void
}): HealthMonitor {
  return new HealthMonitor({
    probe: async (record, args, timeoutMs) => {
      if (!deps.runtime.probe) throw new EngineError('NotImplemented', 'PROBE_UNSUPPORTED', 'the runtime cannot run health checks')
      const spec = JSON.parse(await readFile(join(record.bundleDir, 'config.json'), 'utf8')) as { process: Process }
      return deps.runtime.probe(record.id, { ...spec.process, args }, timeoutMs)
    },
    update: (id, apply) => deps.lock.run(id, async () => {
      const live = deps.store.get(id)
      if (!live) return undefined
      const next = apply(live)
      if (!next) return undefined
      live.state = { ...live.state, health: next }
      await deps.store.save(live)
      return next
    }),
    publish: (record, status) => deps.publish(record, `health_status: ${status}`),
    clock: deps.clock,
  })
}
