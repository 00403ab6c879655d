/**
 * `berth system service install|uninstall`: writes (or removes) berthd's systemd units with the
 * ExecStart of this installation, then reloads systemd and enables/starts the socket and the service
 * when systemd runs this host. Without systemd the files are still written and the command says so;
 * it fails only when asked to start.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { run } from '../../../sys/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { SERVICE_UNIT, SOCKET_UNIT, serviceUnit, socketUnit } from './service-units.js'

export const DEFAULT_UNIT_DIR = '/etc/systemd/system'

interface ServiceOptions {
  prefix?: string
  unitDir?: string
  start?: boolean
}

/** The berthd of this installation: <prefix>/bin/berthd, or the one beside the running berth. */
export function berthdPath(prefix: string | undefined, berthScript = process.argv[1] ?? ''): string {
  if (prefix) return join(resolve(prefix), 'bin', 'berthd')
  let script = berthScript
  try {
    script = realpathSync(berthScript)
  } catch {
    // keep the path as given
  }
  return join(dirname(resolve(script)), 'berthd')
}

/** sd_booted(): systemd runs this host when /run/systemd/system exists. */
export function systemdRunning(root = '/'): boolean {
  return existsSync(join(root, 'run/systemd/system'))
}

function pid1Name(): string {
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim()
  } catch {
    return 'unknown'
  }
}

async function systemctl(args: string[]): Promise<void> {
  const res = await run(['systemctl', ...args], { check: false })
  if (res.exitCode !== 0) throw new CliError(`systemctl ${args.join(' ')} failed: ${res.stderr.toString().trim()}`)
}

export const serviceCommand: CommandHandler = async (ctx, args, options) => {
  const [action] = args
  const opts = options as ServiceOptions
  const unitDir = opts.unitDir ?? DEFAULT_UNIT_DIR
  const start = opts.start !== false
  const out = ctx.io.stdout
  const systemd = systemdRunning()
  // Units written elsewhere than systemd's directory are for inspection (packaging, tests): systemd is left alone.
  const manage = systemd && resolve(unitDir) === DEFAULT_UNIT_DIR
  if (action === 'install') {
    const exec = berthdPath(opts.prefix)
    if (!existsSync(exec)) ctx.io.stderr.write(`WARNING: ${exec} does not exist (yet); the unit starts it from there\n`)
    await mkdir(unitDir, { recursive: true })
    await writeFile(join(unitDir, SERVICE_UNIT), serviceUnit(exec), { mode: 0o644 })
    await writeFile(join(unitDir, SOCKET_UNIT), socketUnit(), { mode: 0o644 })
    out.write(`Wrote ${join(unitDir, SERVICE_UNIT)} (ExecStart=${exec} -H fd://) and ${join(unitDir, SOCKET_UNIT)}\n`)
    if (manage) {
      await systemctl(['daemon-reload'])
      if (start) {
        await systemctl(['enable', '--now', SOCKET_UNIT, SERVICE_UNIT])
        out.write('Enabled and started berthd.socket and berthd.service\n')
      } else {
        await systemctl(['enable', SOCKET_UNIT, SERVICE_UNIT])
        out.write('Enabled berthd.socket and berthd.service (not started: --no-start)\n')
      }
      return
    }
    const why = systemd
      ? `the units were written to ${unitDir}, not ${DEFAULT_UNIT_DIR}, so systemd was not told about them`
      : `systemd is not running on this host (PID 1 is "${pid1Name()}"), so the units were not enabled`
    if (start) throw new CliError(`berthd was not started: ${why}; start berthd yourself (berthd -H unix:///run/berth/berth.sock)`)
    out.write(`Note: ${why}\n`)
    return
  }
  if (action === 'uninstall') {
    if (manage) await systemctl(['disable', '--now', SERVICE_UNIT, SOCKET_UNIT])
    for (const unit of [SERVICE_UNIT, SOCKET_UNIT]) await rm(join(unitDir, unit), { force: true })
    if (manage) await systemctl(['daemon-reload'])
    out.write(`Removed ${join(unitDir, SERVICE_UNIT)} and ${join(unitDir, SOCKET_UNIT)}\n`)
    if (!systemd) out.write(`Note: systemd is not running on this host (PID 1 is "${pid1Name()}"); nothing was stopped\n`)
    return
  }
  throw new CliError(`${ctx.commandPath}: unknown action "${action ?? ''}": use install or uninstall`)
}
