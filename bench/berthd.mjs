// A private berthd for a benchmark: temporary roots and its own bridge, nftables table and subnets, so a
// berthd already running on the host (berth0, table "berth") cannot disturb it, nor it them.
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, readdirSync, rmdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { sh, sleep, alive } from './lib.mjs'

/** bin/ of this work tree, or BERTH_BIN_DIR (a copy of bin/, so a rebuild during a run changes nothing). */
export const binDir = process.env.BERTH_BIN_DIR ?? resolve(import.meta.dirname, '..', 'bin')

/**
 * Starts berthd on <execRoot>/berth.sock and resolves once `berth version` answers. net names its host
 * objects and addresses: { prefix, bip, pool } → bridge `${prefix}0`, nftables table `prefix`, the default
 * bridge's gateway/prefix and the /16 user networks are cut from. Returns { pid, host, sock, logTail, stop }.
 */
export async function startBerthd({ dataRoot, execRoot, logFile, net, args = [] }) {
  const sock = join(execRoot, 'berth.sock')
  const host = `unix://${sock}`
  const log = openSync(logFile, 'a')
  const child = spawn(join(binDir, 'berthd'), [
    '-H', host, '--data-root', dataRoot, '--exec-root', execRoot, '--net-prefix', net.prefix, '--bridge-name', `${net.prefix}0`,
    '--bip', net.bip, '--default-address-pool', `base=${net.pool},size=24`, ...args,
  ], { stdio: ['ignore', log, log], detached: true }) // its own process group: a Ctrl-C reaches the bench, which stops it
  closeSync(log)
  child.unref()
  const logTail = () => { try { return readFileSync(logFile, 'utf8').split('\n').slice(-12).join('\n') } catch { return '' } }
  const daemon = { pid: child.pid, host, sock, logTail, stop: () => stopBerthd(child.pid, net.prefix) }
  for (let i = 0; i < 150 && child.exitCode === null; i++) {
    if (sh(join(binDir, 'berth'), ['-H', host, 'version']).status === 0) return daemon
    await sleep(100)
  }
  await daemon.stop()
  throw new Error(`berthd did not start; log tail:\n${logTail()}`)
}

/** SIGTERM (SIGKILL after 10 s), then deletes what berthd keeps when it stops: its links and nftables tables. */
async function stopBerthd(pid, prefix) {
  try { process.kill(pid, 'SIGTERM') } catch { /* gone */ }
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100)
  if (alive(pid)) process.kill(pid, 'SIGKILL')
  for (const l of JSON.parse(sh('ip', ['-j', 'link']).stdout || '[]')) {
    if (l.ifname.startsWith(prefix)) sh('ip', ['link', 'del', l.ifname])
  }
  for (const family of ['ip', 'ip6']) sh('nft', ['delete', 'table', family, prefix])
  removeEmptyBerthCgroups()
}

/** crun makes /berth/<id> in every hierarchy and berthd leaves the parent (as dockerd leaves /docker): removed when empty. */
function removeEmptyBerthCgroups() {
  for (const h of readdirSync('/sys/fs/cgroup')) {
    try { rmdirSync(join('/sys/fs/cgroup', h, 'berth')) } catch { /* missing, or still used by another berthd */ }
  }
}
