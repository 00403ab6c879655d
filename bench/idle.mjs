// Waiting for a quiet machine before a measurement that background work would distort (published-port
// throughput right after hundreds of containers went away): the whole machine's CPU, from /proc/stat so
// that kernel work such as network-namespace clean-up counts, and the engine daemons' own CPU time must
// both have stopped moving.
import { readFileSync } from 'node:fs'
import { cpuTicks, sleep } from './lib.mjs'

/** Idle and total jiffies of all CPUs together (first line of /proc/stat). */
function machineJiffies() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
  return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) } // idle + iowait; user..steal
}

/**
 * Samples windows of windowMs until one shows the machine at most `busy` (fraction of all cores) busy
 * and the pids together using at most `ticks` clock ticks, or until maxMs have passed.
 * Resolves { idle, waitedMs, busy } (busy: the last window's machine-wide fraction).
 */
export async function waitForIdle({ pids = [], maxMs = 30_000, windowMs = 500, busy = 0.1, ticks = 1 } = {}) {
  const t0 = Date.now()
  for (;;) {
    const m0 = machineJiffies()
    const d0 = pids.map(cpuTicks)
    await sleep(windowMs)
    const m1 = machineJiffies()
    const used = pids.map(cpuTicks).reduce((sum, t, i) => sum + (t !== undefined && d0[i] !== undefined ? t - d0[i] : 0), 0)
    const machine = 1 - (m1.idle - m0.idle) / Math.max(1, m1.total - m0.total)
    const waitedMs = Date.now() - t0
    if (machine <= busy && used <= ticks) return { idle: true, waitedMs, busy: machine }
    if (waitedMs >= maxMs) return { idle: false, waitedMs, busy: machine }
  }
}
