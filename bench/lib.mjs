// Small helpers shared by the benchmark scripts: child processes, timing, statistics, /proc readers.
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, mkdirSync, copyFileSync, symlinkSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'

/** Runs argv synchronously; never throws (check .status). */
export const sh = (cmd, argv, env = {}, opts = {}) =>
  spawnSync(cmd, argv, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20, ...opts })

/** Like sh, but throws with the command's stderr when it exits non-zero. */
export function must(cmd, argv, env = {}, opts = {}) {
  const r = sh(cmd, argv, env, opts)
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.error?.message || '').trim()}`)
  return r.stdout
}

/** Wall-clock ms of one synchronous call; throws if it did not exit 0. */
export function timeOnce(fn) {
  const t0 = process.hrtime.bigint()
  const r = fn()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`)
  return { ms, stdout: r.stdout }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Lets pending signal handlers run between synchronous measurements. */
export const yieldToLoop = () => new Promise((r) => setImmediate(r))

/**
 * Ctrl-C, SIGTERM and SIGHUP end a bench at its next checkpoint (so its clean-up still runs, stopping the
 * daemons it started in their own process groups). Returns { checkpoint, interrupted() }.
 */
export function interruptible() {
  let signal
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { signal ??= sig })
  return {
    interrupted: () => signal,
    checkpoint: async () => {
      await yieldToLoop()
      if (signal) throw new Error(`interrupted by ${signal}`)
    },
  }
}

export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]
  return { min: s[0], median: q(0.5), p95: q(0.95), p99: q(0.99) }
}

/** VmRSS of a process in kB, or undefined when it is gone. */
export function vmRssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch { return undefined }
}

/** utime + stime of a process in clock ticks, or undefined when it is gone. */
export function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(f[11]) + Number(f[12])
  } catch { return undefined }
}

/** CPU time (user + sys, clock ticks) of this process's children that have been waited for. */
export function childCpuTicks() {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[13]) + Number(f[14]) // cutime + cstime
}

let hz
/** Clock ticks per second (getconf CLK_TCK, once). */
export const clockTicks = () => (hz ??= Number(must('getconf', ['CLK_TCK']).trim()) || 100)

/**
 * A minimal busybox rootfs under dir/rootfs (/bin/busybox and one symlink per applet) and a tar of it at
 * dir/busybox-rootfs.tar: the same image every engine imports. Returns { rootfs, tar, applets }.
 */
export function busyboxRootfs(dir) {
  const rootfs = join(dir, 'rootfs')
  mkdirSync(join(rootfs, 'bin'), { recursive: true })
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'))
  const applets = must('/bin/busybox', ['--list']).split('\n').filter((x) => x && x !== 'busybox')
  for (const a of applets) symlinkSync('busybox', join(rootfs, 'bin', a))
  const tar = join(dir, 'busybox-rootfs.tar')
  must('tar', ['-C', rootfs, '-cf', tar, '.'])
  return { rootfs, tar, applets: applets.length }
}

/** Every live process as { pid, ppid, comm, cmdline }. */
export function processes() {
  const out = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const [state, ppid] = stat.slice(close + 2).split(' ')
      if (state === 'Z') continue
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim()
      out.push({ pid: Number(d), ppid: Number(ppid), comm: stat.slice(stat.indexOf('(') + 1, close), cmdline })
    } catch { /* exited while reading */ }
  }
  return out
}

export const alive = (pid) => { try { process.kill(pid, 0); return true } catch { return false } }

/** Mount points (from /proc/self/mountinfo, unescaped) at or under one of the prefixes, deepest first. */
export function mountsUnder(prefixes) {
  const unesc = (s) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))
  const mps = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => unesc(l.split(' ')[4] ?? ''))
  const hit = mps.filter((m) => prefixes.some((p) => m === p || m.startsWith(p + '/')))
  return [...new Set(hit)].sort((a, b) => b.length - a.length)
}

export function umountUnder(prefixes) {
  for (let round = 0; round < 5; round++) {
    const ms = mountsUnder(prefixes)
    if (ms.length === 0) return
    for (const m of ms) sh('umount', ['-l', m])
  }
}

/** HTTP status of a request to a daemon on a unix socket (body JSON), or the socket error's message. */
export function httpStatus(socketPath, method, path, body) {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const req = request({ socketPath, method, path, agent: false, headers: data ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', (e) => resolve(e.message))
    req.end(data)
  })
}
