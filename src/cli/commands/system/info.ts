import type { SystemInfo } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError, describeError } from '../../render/errors.js'
import { renderTemplate, goJson, bytesSize } from '../../../format/index.js'
import { BERTH_VERSION } from '../../version.js'

/** `berth info`: client details and the daemon's /info, laid out like docker info. */
export const infoCommand: CommandHandler = async (ctx, _args, options) => {
  const { format } = options as { format?: string }
  if (format) {
    const info = await ctx.client().info()
    const data = { ...info, ClientInfo: { Version: BERTH_VERSION, Context: 'default', Debug: ctx.debug } }
    ctx.io.stdout.write(`${format === 'json' ? goJson(data) : renderTemplate(format, data, { strictStructs: true })}\n`)
    return
  }
  let text = 'Client:\n'
  text += ` Version:    ${BERTH_VERSION}\n`
  text += ' Context:    default\n'
  text += ` Debug Mode: ${ctx.debug}\n`
  let info: SystemInfo
  try {
    info = await ctx.client().info()
  } catch (err) {
    ctx.io.stdout.write(`${text}\nServer:\n`)
    throw new CliError(`ERROR: ${describeError(err)}\nerrors pretty printing info`, 1)
  }
  ctx.io.stdout.write(`${text}\n${serverInfo(info)}`)
}

/** docker's prettyPrintServerInfo, for the fields berth's daemon reports. */
export function serverInfo(info: SystemInfo): string {
  const lines: string[] = ['Server:']
  const add = (label: string, value: unknown, indent = 1): void => {
    if (value === undefined || value === null || value === '') return
    lines.push(`${' '.repeat(indent)}${label}: ${String(value)}`)
  }
  add('Containers', info.Containers ?? 0)
  add('Running', info.ContainersRunning ?? 0, 2)
  add('Paused', info.ContainersPaused ?? 0, 2)
  add('Stopped', info.ContainersStopped ?? 0, 2)
  add('Images', info.Images ?? 0)
  add('Server Version', info.ServerVersion)
  add('Storage Driver', info.Driver)
  for (const [key, value] of (info.DriverStatus as [string, string][] | undefined) ?? []) add(key, value, 2)
  add('Logging Driver', info.LoggingDriver)
  add('Cgroup Driver', info.CgroupDriver)
  add('Cgroup Version', info.CgroupVersion)
  const runtimes = info.Runtimes as Record<string, unknown> | undefined
  if (runtimes) add('Runtimes', Object.keys(runtimes).sort().join(' '))
  add('Default Runtime', info.DefaultRuntime)
  add('Init Binary', info.InitBinary)
  const security = securityOptionLines((info.SecurityOptions as string[] | null | undefined) ?? [])
  if (security.length > 0) lines.push(' Security Options:', ...security)
  add('Kernel Version', info.KernelVersion)
  add('Operating System', info.OperatingSystem)
  add('OSType', info.OSType)
  add('Architecture', info.Architecture)
  add('CPUs', info.NCPU)
  if (typeof info.MemTotal === 'number') add('Total Memory', bytesSize(info.MemTotal))
  add('Name', info.Name)
  add('ID', info.ID)
  add('Docker Root Dir', info.DockerRootDir)
  add('Debug Mode', info.Debug ?? false)
  add('Experimental', info.ExperimentalBuild ?? false)
  const labels = (info.Labels as string[] | null | undefined) ?? []
  if (labels.length > 0) lines.push(' Labels:', ...labels.map((l) => `  ${l}`))
  const registries = info.RegistryConfig as { InsecureRegistryCIDRs?: string[] | null; IndexConfigs?: Record<string, { Name: string; Secure: boolean }> | null } | undefined
  const insecure = [
    ...Object.values(registries?.IndexConfigs ?? {}).filter((c) => !c.Secure).map((c) => c.Name),
    ...(registries?.InsecureRegistryCIDRs ?? []),
  ]
  if (insecure.length > 0) lines.push(' Insecure Registries:', ...insecure.map((r) => `  ${r}`))
  add('Live Restore Enabled', info.LiveRestoreEnabled ?? false)
  const warnings = (info.Warnings as string[] | null | undefined) ?? []
  return `${lines.join('\n')}\n${warnings.map((w) => `${w}\n`).join('')}`
}


/**
 * docker's rendering of SecurityOptions ("name=seccomp,profile=builtin"): each name on its own line,
 * with its profile below it; other keys are not shown (as the docker CLI).
 */
export function securityOptionLines(options: readonly string[]): string[] {
  const out: string[] = []
  for (const option of options) {
    const fields = Object.fromEntries(option.split(',').map((kv) => {
      const i = kv.indexOf('=')
      return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)]
    }))
    // Options from daemons before API 1.24 were bare names ("seccomp").
    out.push(`  ${fields['name'] ?? option}`)
    if (fields['profile']) out.push(`   Profile: ${fields['profile']}`)
  }
  return out
}
