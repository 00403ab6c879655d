import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { forEachTarget } from '../shared/targets.js'
import { parseCpus, parseRestartPolicy, ramInBytes } from './container-config.js'

interface UpdateFlags {
  blkioWeight?: number
  cpuPeriod?: number
  cpuQuota?: number
  cpuShares?: number
  cpus?: string
  cpusetCpus?: string
  cpusetMems?: string
  memory?: string
  memoryReservation?: string
  memorySwap?: string
  pidsLimit?: number
  restart?: string
}

/** docker's update: flags -> POST /containers/{id}/update body (only the flags given). */
export function buildUpdateRequest(flags: UpdateFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (flags.blkioWeight !== undefined) body.BlkioWeight = flags.blkioWeight
  if (flags.cpuPeriod !== undefined) body.CpuPeriod = flags.cpuPeriod
  if (flags.cpuQuota !== undefined) body.CpuQuota = flags.cpuQuota
  if (flags.cpuShares !== undefined) body.CpuShares = flags.cpuShares
  if (flags.cpus !== undefined) body.NanoCpus = parseCpus(flags.cpus)
  if (flags.cpusetCpus !== undefined) body.CpusetCpus = flags.cpusetCpus
  if (flags.cpusetMems !== undefined) body.CpusetMems = flags.cpusetMems
  if (flags.memory !== undefined) body.Memory = ramInBytes(flags.memory, '-m, --memory')
  if (flags.memoryReservation !== undefined) body.MemoryReservation = ramInBytes(flags.memoryReservation, '--memory-reservation')
  if (flags.memorySwap !== undefined) body.MemorySwap = flags.memorySwap === '-1' ? -1 : ramInBytes(flags.memorySwap, '--memory-swap')
  if (flags.pidsLimit !== undefined) body.PidsLimit = flags.pidsLimit
  if (flags.restart !== undefined) {
    const policy = parseRestartPolicy(flags.restart)
    body.RestartPolicy = { Name: policy.Name, MaximumRetryCount: policy.MaximumRetryCount ?? 0 }
  }
  return body
}

/** `berth update [OPTIONS] CONTAINER...`: prints each container updated; daemon warnings go to stderr. */
export const updateCommand: CommandHandler = async (ctx, args, options) => {
  let body: Record<string, unknown>
  try {
    body = buildUpdateRequest(options as UpdateFlags)
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 125)
  }
  if (Object.keys(body).length === 0) throw new CliError('you must provide one or more flags when using this command', 1)
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    const res = await client.containerUpdate(name, body)
    for (const warning of res.Warnings ?? []) ctx.io.stderr.write(`${warning}\n`)
    return name
  })
}
