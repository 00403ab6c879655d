import { child, fail, isMap, scalarString, toBool, toInt, toNumber, toStringList, toStringMap, type RawContext, type RawMap } from './raw.js'
import { requireDuration, requireSize } from './units.js'
import type { DeployConfig, HealthcheckConfig, ResourceSpec } from './types.js'

/** healthcheck: test string → ["CMD-SHELL", text]; durations → ns. */
export function toHealthcheck(value: unknown, ctx: RawContext): HealthcheckConfig {
  const h = isMap(value) ? value : {}
  const hc: HealthcheckConfig = { disable: h.disable === undefined ? false : toBool(h.disable, child(ctx, 'disable')) }
  if (typeof h.test === 'string') hc.test = ['CMD-SHELL', h.test]
  else if (Array.isArray(h.test)) hc.test = h.test.map(scalarString)
  const dur = (key: string) => (h[key] === undefined ? undefined : requireDuration(h[key], child(ctx, key).path, ctx.file))
  const interval = dur('interval'); if (interval !== undefined) hc.interval = interval
  const timeout = dur('timeout'); if (timeout !== undefined) hc.timeout = timeout
  const startPeriod = dur('start_period'); if (startPeriod !== undefined) hc.startPeriod = startPeriod
  const startInterval = dur('start_interval'); if (startInterval !== undefined) hc.startInterval = startInterval
  if (h.retries !== undefined) hc.retries = toInt(h.retries, child(ctx, 'retries'))
  if (hc.test?.[0] === 'NONE') hc.disable = true
  return hc
}

function toResources(value: unknown, ctx: RawContext): ResourceSpec {
  const r = isMap(value) ? value : {}
  const spec: ResourceSpec = {}
  if (r.cpus !== undefined) spec.cpus = toNumber(r.cpus, child(ctx, 'cpus'))
  if (r.memory !== undefined) spec.memory = requireSize(r.memory, child(ctx, 'memory').path, ctx.file)
  if (r.pids !== undefined) spec.pids = toInt(r.pids, child(ctx, 'pids'))
  return spec
}

const RESTART_CONDITIONS = ['none', 'on-failure', 'any']

export function toDeploy(value: unknown, ctx: RawContext): DeployConfig {
  const d: RawMap = isMap(value) ? value : {}
  const res = isMap(d.resources) ? d.resources : {}
  const deploy: DeployConfig = {
    labels: toStringMap(d.labels),
    resources: { limits: toResources(res.limits, child(child(ctx, 'resources'), 'limits')), reservations: toResources(res.reservations, child(child(ctx, 'resources'), 'reservations')) },
    placementConstraints: isMap(d.placement) ? toStringList(d.placement.constraints) : [],
  }
  if (d.mode !== undefined) {
    const mode = scalarString(d.mode)
    if (mode !== 'replicated' && mode !== 'global') fail(child(ctx, 'mode'), `invalid mode ${JSON.stringify(mode)}`)
    deploy.mode = mode
  }
  if (d.replicas !== undefined && d.replicas !== null) deploy.replicas = toInt(d.replicas, child(ctx, 'replicas'))
  if (isMap(d.restart_policy)) {
    const p = d.restart_policy
    const c = child(ctx, 'restart_policy')
    const condition = scalarString(p.condition ?? 'any')
    if (!RESTART_CONDITIONS.includes(condition)) fail(child(c, 'condition'), `invalid condition ${JSON.stringify(condition)}`)
    deploy.restartPolicy = { condition: condition as 'none' | 'on-failure' | 'any' }
    if (p.delay !== undefined) deploy.restartPolicy.delay = requireDuration(p.delay, child(c, 'delay').path, ctx.file)
    if (p.max_attempts !== undefined) deploy.restartPolicy.maxAttempts = toInt(p.max_attempts, child(c, 'max_attempts'))
    if (p.window !== undefined) deploy.restartPolicy.window = requireDuration(p.window, child(c, 'window').path, ctx.file)
  }
  return deploy
}
